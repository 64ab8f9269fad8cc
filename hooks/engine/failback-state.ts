import { loadState, saveState, type FailbackState, type Topology } from '../../topology';
import { synthesizeApp } from '../../stacks/app';
import { reviewStateChange, renderJson, type SemanticDiff } from '../review';
import type { StateStore } from '../steps/systems';
import type { Json } from './events';

/**
 * Changes the failback state the one way it is ever changed: both states are synthesized first (the policy
 * rules may refuse the new one, and then nothing is written), the file is saved atomically, and the stacks
 * are re-synthesized. Returns the semantic diff a reviewer (or the journal) reads.
 */
export function changeFailbackState(topology: Topology, stateFile: string, outdir: string, current: FailbackState, next: FailbackState): SemanticDiff {
  const diff = reviewStateChange(topology, current, next);
  saveState(stateFile, next);
  synthesizeApp(topology, next, { outdir });
  return diff;
}

/** The engine's view of the state file: each write journals its review as JSON. */
export class FileStateStore implements StateStore {
  constructor(
    private readonly topology: Topology,
    private readonly stateFile: string,
    private readonly outdir: string,
  ) {}

  read(): FailbackState {
    return loadState(this.stateFile, this.topology);
  }

  write(next: FailbackState): Json {
    return JSON.parse(renderJson(changeFailbackState(this.topology, this.stateFile, this.outdir, this.read(), next))) as Json;
  }
}
