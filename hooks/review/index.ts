import { stageSynthesis, synthesizeStacks } from '../../stacks/app';
import type { FailbackState } from '../../topology/state';
import type { Topology } from '../../topology/schema';
import { semanticDiff, type SemanticDiff, type SynthesizedSide } from './semantic-diff';

export * from './semantic-diff';
export { renderJson, renderMarkdown } from './render';

/** One state synthesized in-process (temporary outdir, removed): a side of a diff, reusable for the next one. */
export function synthesizeState(topology: Topology, state: FailbackState): SynthesizedSide {
  return { state, stacks: synthesizeStacks(topology, state) };
}

/** Synthesizes the app for both states in-process (temporary outdirs, removed) and diffs them. */
export function reviewStateChange(topology: Topology, from: FailbackState, to: FailbackState): SemanticDiff {
  return semanticDiff(synthesizeState(topology, from), synthesizeState(topology, to));
}

/**
 * A reviewed state change whose `to` synthesis is kept (in its temporary outdir) until `dispose`: once the
 * new state is saved, `installInto` puts that output in the project's outdir instead of synthesizing it again.
 */
export interface StagedStateChange {
  readonly diff: SemanticDiff;
  installInto(outdir: string): void;
  dispose(): void;
}

/**
 * As `reviewStateChange`, keeping the synthesized `to`. Both states are synthesized in temporary outdirs,
 * so a state the policy rules refuse throws here and leaves the project's outdir as it was.
 */
export function stageStateChange(topology: Topology, from: FailbackState, to: FailbackState): StagedStateChange {
  const before = synthesizeState(topology, from);
  const after = stageSynthesis(topology, to);
  try {
    return { diff: semanticDiff(before, { state: to, stacks: after.stacks }), installInto: after.installInto, dispose: after.dispose };
  } catch (error) {
    after.dispose();
    throw error;
  }
}
