import { synthesizeStacks, type BuildOptions } from '../../stacks/app';
import type { FailbackState } from '../../topology/state';
import type { Topology } from '../../topology/schema';
import { semanticDiff, type SemanticDiff } from './semantic-diff';

export * from './semantic-diff';
export { renderJson, renderMarkdown } from './render';

/** Synthesizes the app for both states in-process (temporary outdirs, removed) and diffs them. */
export function reviewStateChange(topology: Topology, from: FailbackState, to: FailbackState, options: Omit<BuildOptions, 'outdir'> = {}): SemanticDiff {
  return semanticDiff({ state: from, stacks: synthesizeStacks(topology, from, options) }, { state: to, stacks: synthesizeStacks(topology, to, options) });
}
