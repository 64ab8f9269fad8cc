import type { RetryOptions } from '../drivers/common/retry';
import type { Json } from './events';

/** What a step sees while it runs. `S` is the set of drivers (steps know them only through interfaces). */
export interface StepContext<S> {
  readonly runId: string;
  readonly systems: S;
  /** Outputs of the steps that succeeded before this one, by step id (rebuilt from the journal on resume). */
  readonly outputs: Readonly<Record<string, Json | undefined>>;
  /** Aborted when the step's timeout expires or the operator interrupts: long waits must watch it. */
  readonly signal: AbortSignal;
  /** Journals a progress note (e.g. a VM suspended, a boot window measured). */
  progress(message: string, data?: Json): void;
}

/** A step that already did its work answers `check` with what `act` would have returned. */
export interface Done {
  readonly output?: Json;
}

/**
 * One step of a plan: check (already done? -> skip act) / act / verify / undo.
 * Steps never print; the runner journals what happens and renderers show it.
 */
export interface Step<S> {
  readonly id: string;
  readonly phase: string;
  readonly title: string;
  describe(ctx: StepContext<S>): string;
  check?(ctx: StepContext<S>): Promise<Done | undefined>;
  act(ctx: StepContext<S>): Promise<Json | void>;
  /** Throws when the world does not show the step's effect. */
  verify?(ctx: StepContext<S>): Promise<void>;
  /** Reverts the step; must be idempotent (it also runs for a step that failed half-way). */
  undo?(ctx: StepContext<S>): Promise<void>;
  readonly timeoutSeconds: number;
  /** Transient errors are retried with this policy; others pause the run at once. @default 3 attempts */
  readonly retry?: RetryOptions;
  /** Makes the step an approval gate: `act` runs only after a recorded approval. */
  readonly gate?: { readonly name: string; readonly prompt: string };
  /** Past this step (e.g. the Zerto commit) a rollback is no longer possible. */
  readonly pointOfNoReturn?: boolean;
}

export interface Plan<S> {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  readonly rtoMinutes: number;
  readonly steps: readonly Step<S>[];
}
