/**
 * The journal's events. A run IS its journal: its state is a fold over these (see execution.ts).
 * Events carry no secrets: steps return outputs built from names, ids and states only.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json | undefined };

export interface RunStartedEvent {
  readonly type: 'run.started';
  readonly plan: string;
  readonly direction: { readonly from: string; readonly to: string };
  readonly operator: string;
  readonly host: string;
  readonly steps: readonly { readonly id: string; readonly phase: string; readonly title: string }[];
  readonly options: { readonly [key: string]: Json };
  readonly rtoMinutes: number;
}

export type RunEvent =
  | RunStartedEvent
  | { readonly type: 'step.started'; readonly step: string; readonly attempt: number; readonly description: string }
  | { readonly type: 'step.skipped'; readonly step: string; readonly reason: string; readonly output?: Json }
  | { readonly type: 'step.acted'; readonly step: string }
  | { readonly type: 'step.succeeded'; readonly step: string; readonly output?: Json }
  | { readonly type: 'step.retried'; readonly step: string; readonly attempt: number; readonly error: string; readonly delayMs: number; readonly system?: string }
  | { readonly type: 'step.failed'; readonly step: string; readonly error: string; readonly system?: string }
  | { readonly type: 'step.progress'; readonly step: string; readonly message: string; readonly data?: Json }
  | { readonly type: 'approval.requested'; readonly step: string; readonly gate: string; readonly prompt: string }
  | { readonly type: 'approval.given'; readonly gate: string; readonly by: string; readonly comment: string }
  | { readonly type: 'approval.declined'; readonly gate: string; readonly by: string; readonly comment: string }
  | { readonly type: 'run.paused'; readonly reason: 'failedStep' | 'operator'; readonly step?: string; readonly message: string }
  | {
      readonly type: 'run.resumed';
      readonly by: string;
      readonly host: string;
      /** `operator on host` this resume took the run from (`pra resume --take-over` after its driver died). */
      readonly tookOverFrom?: string;
    }
  | { readonly type: 'rollback.started'; readonly by: string; readonly reason: string }
  | { readonly type: 'undo.started'; readonly step: string }
  | { readonly type: 'undo.succeeded'; readonly step: string }
  | { readonly type: 'undo.failed'; readonly step: string; readonly error: string }
  | { readonly type: 'run.completed' }
  | { readonly type: 'run.rolledBack' };

/** An event as stored: numbered and timestamped by the journal. */
export type JournalEntry = RunEvent & { readonly seq: number; readonly ts: string; readonly run: string };
