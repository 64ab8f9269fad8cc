import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { loadState, loadTopology, statePath, topologyPath, type FailbackState, type Topology } from '../../topology';
import type { CommandContext } from './command';

/** The topology and failback state a verb works on, with the files they came from. */
export interface Project {
  readonly topology: Topology;
  readonly topologyFile: string;
  readonly state: FailbackState;
  readonly stateFile: string;
  /** False when the state file is absent and `state` holds the defaults. */
  readonly stateFileExists: boolean;
}

/** Options every project verb accepts (node:util parseArgs shape). */
export const projectOptions = {
  topology: { type: 'string' },
  state: { type: 'string' },
} as const;

/**
 * Loads both inputs; bad input throws InputError naming file, path, value and fix (exit 2). A state file named
 * with `--state` must exist; the default one may be absent (defaults), as may a run's own (`stateMayBeAbsent`:
 * a run started from the defaults).
 */
export function loadProject(ctx: CommandContext, files: { topology?: string; state?: string; stateMayBeAbsent?: boolean }): Project {
  const topologyFile = topologyPath(ctx.cwd, ctx.env, files.topology);
  const stateFile = statePath(ctx.cwd, files.state);
  const topology = loadTopology(topologyFile, shown(ctx, topologyFile));
  const state = loadState(stateFile, topology, shown(ctx, stateFile), files.stateMayBeAbsent ?? files.state === undefined);
  return { topology, topologyFile, state, stateFile, stateFileExists: existsSync(stateFile) };
}

/** Paths in messages read better relative to where the operator stands. */
export function shown(ctx: CommandContext, file: string): string {
  const rel = relative(ctx.cwd, file);
  return rel.startsWith('..') ? file : rel;
}

/** Re-exported for the verbs that print a state: the one definition is in topology/state.ts. */
export { describeState } from '../../topology';
