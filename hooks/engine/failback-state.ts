import { loadState, saveState, type FailbackState, type Topology } from '../../topology';
import { renderJson, stageStateChange, type SemanticDiff } from '../review';
import type { StateStore } from '../steps/systems';
import type { Json } from './events';

/**
 * Changes the failback state the one way it is ever changed: both states are synthesized first, in
 * temporary outdirs (the policy rules may refuse the new one, and then nothing is written), the file is
 * saved atomically, and the new state's synthesis is installed into the project's outdir. Returns the
 * semantic diff a reviewer (or the journal) reads.
 */
export function changeFailbackState(topology: Topology, stateFile: string, outdir: string, current: FailbackState, next: FailbackState): SemanticDiff {
  const staged = stageStateChange(topology, current, next);
  try {
    saveState(stateFile, next);
    staged.installInto(outdir);
  } finally {
    staged.dispose();
  }
  return staged.diff;
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
