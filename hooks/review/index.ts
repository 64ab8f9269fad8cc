import { stageSynthesis, synthesizeStacks } from '../../stacks/app';
import { InputError, defaultState, loadState, loadTopology, type FailbackState, type Topology } from '../../topology';
import { describeError } from '../drivers/common/errors';
import { checkoutBase } from './git-base';
import { semanticDiff, type SemanticDiff, type SynthesizedSide } from './semantic-diff';

export * from './semantic-diff';
export { renderJson, renderMarkdown } from './render';
export { criticalItems, hasChanges, summaryLine } from './critical';

/** One state synthesized in-process (temporary outdir, removed): a side of a diff, reusable for the next one. */
export function synthesizeState(topology: Topology, state: FailbackState): SynthesizedSide {
  return { state, ...synthesizeStacks(topology, state) };
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
    return { diff: semanticDiff(before, { state: to, stacks: after.stacks, vpgs: after.vpgs }), installInto: after.installInto, dispose: after.dispose };
  } catch (error) {
    after.dispose();
    throw error;
  }
}

export interface BaseReviewRequest {
  /** Where the operator stands: inside the repository. */
  readonly cwd: string;
  /** A git revision: `origin/main`, `HEAD~1`, a sha. */
  readonly ref: string;
  readonly topologyFile: string;
  readonly stateFile: string;
  /** The working tree's topology and the state to review against the base (the state file, `--to-state` applied). */
  readonly head: { readonly topology: Topology; readonly state: FailbackState };
}

/**
 * The semantic diff between the topology and failback state as they are at `ref` (read with git into a
 * temporary directory) and as they are now. The head must synthesize (its errors propagate); a base that
 * does not (absent, invalid, refused by policy) is reported in `base.unsynthesizable`, with the head alone.
 */
export function reviewAgainstBase(request: BaseReviewRequest): SemanticDiff {
  const { cwd, ref, topologyFile, stateFile, head } = request;
  const checkout = checkoutBase(cwd, ref, [topologyFile, stateFile]);
  try {
    const after = synthesizeState(head.topology, head.state);
    const base = { ref, commit: checkout.commit };
    try {
      const topology = checkout.files.get(topologyFile);
      const state = checkout.files.get(stateFile);
      if (!topology?.copy) throw new Error(`${topology?.shown ?? topologyFile} does not exist`);
      const baseTopology = loadTopology(topology.copy, topology.shown);
      const baseState = state?.copy ? loadState(state.copy, baseTopology, state.shown) : defaultState(baseTopology);
      return semanticDiff(synthesizeState(baseTopology, baseState), after, base);
    } catch (error) {
      const reason = error instanceof InputError ? error.lines.slice(0, 3).join('; ') : describeError(error).split('\n').slice(0, 3).join(' ');
      const nothing: SynthesizedSide = { state: head.state, stacks: {}, vpgs: [] };
      return semanticDiff(nothing, after, { ...base, unsynthesizable: reason });
    }
  } finally {
    checkout.dispose();
  }
}
