import type { Json, JournalEntry, RunStartedEvent } from './events';

/** Execution states, after AWS ARC region switch. */
export type ExecutionState =
  | 'running'
  | 'pendingApproval'
  | 'pausedByFailedStep'
  | 'pausedByOperator'
  | 'completed'
  | 'rollingBack'
  | 'rolledBack';

export type StepStatus = 'pending' | 'inFlight' | 'succeeded' | 'skipped' | 'failed' | 'undone' | 'undoFailed';

export interface StepView {
  readonly id: string;
  readonly phase: string;
  readonly title: string;
  status: StepStatus;
  attempts: number;
  output?: Json;
  error?: string;
  startedAt?: string;
  endedAt?: string;
}

export interface Approval {
  readonly gate: string;
  readonly step: string;
  readonly requestedAt: string;
  decision?: { readonly approved: boolean; readonly by: string; readonly comment: string; readonly at: string };
}

export interface RunView {
  readonly id: string;
  readonly started: RunStartedEvent & { readonly ts: string };
  state: ExecutionState;
  readonly steps: StepView[];
  readonly approvals: Approval[];
  /** The last event's time: how long a run has been quiet tells a crash from a long wait. */
  lastEventAt: string;
  pauseMessage?: string;
  endedAt?: string;
}

/** Folds a journal into the run's current view. Pure: the same journal always gives the same view. */
export function replay(entries: readonly JournalEntry[]): RunView {
  const first = entries[0];
  if (!first || first.type !== 'run.started') throw new Error('journal does not start with run.started');
  const view: RunView = {
    id: first.run,
    started: first,
    state: 'running',
    steps: first.steps.map((s) => ({ ...s, status: 'pending', attempts: 0 })),
    approvals: [],
    lastEventAt: first.ts,
  };
  const step = (id: string): StepView => {
    const found = view.steps.find((s) => s.id === id);
    if (!found) throw new Error(`journal names unknown step ${id}`);
    return found;
  };
  for (const e of entries.slice(1)) {
    view.lastEventAt = e.ts;
    switch (e.type) {
      case 'step.started':
        Object.assign(step(e.step), { status: 'inFlight', attempts: e.attempt, startedAt: step(e.step).startedAt ?? e.ts, error: undefined });
        break;
      case 'step.skipped':
        Object.assign(step(e.step), { status: 'skipped', output: e.output, endedAt: e.ts });
        break;
      case 'step.succeeded':
        Object.assign(step(e.step), { status: 'succeeded', output: e.output, endedAt: e.ts });
        break;
      case 'step.failed':
        Object.assign(step(e.step), { status: 'failed', error: e.error, endedAt: e.ts });
        break;
      case 'approval.requested':
        if (!view.approvals.some((a) => a.gate === e.gate && !a.decision)) view.approvals.push({ gate: e.gate, step: e.step, requestedAt: e.ts });
        view.state = 'pendingApproval';
        break;
      case 'approval.given':
      case 'approval.declined': {
        const pending = view.approvals.find((a) => a.gate === e.gate && !a.decision);
        if (pending) {
          pending.decision = { approved: e.type === 'approval.given', by: e.by, comment: e.comment, at: e.ts };
          if (view.state === 'pendingApproval') view.state = 'running';
        }
        break;
      }
      case 'run.paused':
        view.state = e.reason === 'failedStep' ? 'pausedByFailedStep' : 'pausedByOperator';
        view.pauseMessage = e.message;
        break;
      case 'run.resumed':
        view.state = 'running';
        view.pauseMessage = undefined;
        break;
      case 'rollback.started':
        view.state = 'rollingBack';
        break;
      case 'undo.succeeded':
        Object.assign(step(e.step), { status: 'undone' });
        break;
      case 'undo.failed':
        Object.assign(step(e.step), { status: 'undoFailed', error: e.error });
        break;
      case 'run.completed':
        view.state = 'completed';
        view.endedAt = e.ts;
        break;
      case 'run.rolledBack':
        view.state = 'rolledBack';
        view.endedAt = e.ts;
        break;
      default:
        break; // step.acted, step.retried, step.progress, undo.started: history only
    }
  }
  return view;
}

export function isFinished(state: ExecutionState): boolean {
  return state === 'completed' || state === 'rolledBack';
}

/** Outputs of finished steps, by step id: what later steps (and a resumed run) read back. */
export function stepOutputs(view: RunView): Record<string, Json | undefined> {
  return Object.fromEntries(view.steps.filter((s) => s.status === 'succeeded' || s.status === 'skipped').map((s) => [s.id, s.output]));
}
