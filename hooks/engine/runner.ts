import { hostname } from 'node:os';
import { describeError, DriverError } from '../drivers/common/errors';
import { realSleep, withRetry, withTimeout, type RetryOptions, type Sleep } from '../drivers/common/retry';
import type { Json, JournalEntry, RunEvent } from './events';
import { isFinished, replay, stepOutputs, type RunView } from './execution';
import type { RunJournal } from './run-store';
import { takeOverOf } from './take-over';
import type { Plan, Step, StepContext } from './step';

export interface Decision {
  readonly approved: boolean;
  readonly by: string;
  readonly comment: string;
}

/**
 * Asks for an approval. It may answer at once (auto-approve, a TTY prompt) by returning a decision, or
 * return undefined and let the runner wait for `pra approve` to journal one from another terminal.
 */
export interface Approver {
  request(gate: string, prompt: string, signal: AbortSignal): Promise<Decision | undefined>;
}

export interface RunnerOptions<S> {
  readonly journal: RunJournal;
  readonly systems: S;
  readonly approver: Approver;
  readonly operator: string;
  readonly onEvent?: (entry: JournalEntry) => void;
  readonly sleep?: Sleep;
  /** How often a waiting gate re-reads the journal for an approval from another terminal. @default 100 */
  readonly approvalPollMs?: number;
  /** Aborted on SIGINT: the step in flight stops and the run pauses by operator. */
  readonly signal?: AbortSignal;
  /** Replaces parts of every step's retry policy (drills and tests that inject lasting faults pause sooner). */
  readonly retryOverride?: Pick<RetryOptions, 'attempts' | 'baseDelayMs' | 'maxDelayMs'>;
}

export class RunRefusedError extends Error {}

/** Executes a plan step by step, journaling every event; resumable and reversible from its journal. */
export class Runner<S> {
  private readonly sleep: Sleep;
  /** The last append in flight: the next one starts after it. */
  private journaled: Promise<unknown> = Promise.resolve();
  constructor(
    private readonly plan: Plan<S>,
    private readonly opts: RunnerOptions<S>,
  ) {
    this.sleep = opts.sleep ?? realSleep;
  }

  view(): RunView {
    return replay(this.opts.journal.entries());
  }

  async start(options: { readonly [key: string]: Json }): Promise<RunView> {
    if (this.opts.journal.entries().length) throw new RunRefusedError(`run ${this.opts.journal.runId} already exists; use pra resume`);
    await this.emit({
      type: 'run.started',
      plan: this.plan.name,
      direction: { from: this.plan.from, to: this.plan.to },
      operator: this.opts.operator,
      host: hostname(),
      steps: this.plan.steps.map((s) => ({ id: s.id, phase: s.phase, title: s.title })),
      options,
      rtoMinutes: this.plan.rtoMinutes,
    });
    return this.execute();
  }

  /** Continues a paused or crashed run: the step in flight is re-checked, never blindly re-acted. */
  async resume(options: { readonly takeOver?: boolean } = {}): Promise<RunView> {
    const view = this.checkedView();
    if (isFinished(view.state)) throw new RunRefusedError(`run ${view.id} is ${view.state}; nothing to resume`);
    if (view.state === 'rollingBack') throw new RunRefusedError(`run ${view.id} is rolling back; finish it with pra rollback ${view.id}`);
    const tookOverFrom = takeOverOf(view, this.opts.journal.entries(), `${this.opts.operator} on ${hostname()}`, options.takeOver === true);
    await this.emit({ type: 'run.resumed', by: this.opts.operator, host: hostname(), ...(tookOverFrom ? { tookOverFrom } : {}) });
    return this.execute();
  }

  /** Undoes, in reverse, every step that acted, unless the run passed its point of no return. */
  async rollback(reason: string): Promise<RunView> {
    const view = this.checkedView();
    if (view.state === 'rolledBack') return view;
    const committed = view.steps.find((s) => s.status === 'succeeded' && this.stepById(s.id).pointOfNoReturn);
    if (committed) {
      throw new RunRefusedError(
        `run ${view.id} passed ${committed.id} (${committed.title}) at ${committed.endedAt}: it cannot be rolled back; the way back is a new failover (pra failover --to ${this.plan.from})`,
      );
    }
    if (view.state !== 'rollingBack') await this.emit({ type: 'rollback.started', by: this.opts.operator, reason });
    const ctxBase = stepOutputs(view);
    for (const stepView of [...view.steps].reverse()) {
      const step = this.stepById(stepView.id);
      if (!step.undo || !['succeeded', 'inFlight', 'failed', 'undoFailed'].includes(stepView.status)) continue;
      await this.emit({ type: 'undo.started', step: step.id });
      try {
        await this.bounded(step, (ctx) => withRetry(() => step.undo!(ctx), { sleep: this.sleep, ...step.retry }), ctxBase);
        await this.emit({ type: 'undo.succeeded', step: step.id });
      } catch (error) {
        await this.emit({ type: 'undo.failed', step: step.id, error: describeError(error) });
        return this.view();
      }
    }
    await this.emit({ type: 'run.rolledBack' });
    return this.view();
  }

  private checkedView(): RunView {
    const view = this.view();
    const planIds = this.plan.steps.map((s) => s.id).join(',');
    if (view.started.steps.map((s) => s.id).join(',') !== planIds) {
      throw new RunRefusedError(`run ${view.id} was started with another plan (${view.started.plan}); its steps differ from this version's`);
    }
    return view;
  }

  private stepById(id: string): Step<S> {
    return this.plan.steps.find((s) => s.id === id)!;
  }

  /**
   * Journals events one at a time in call order (progress notes and retries are journaled without being
   * awaited). Once an append failed, every later one fails with the same error: a journal never has a hole.
   */
  private emit(event: RunEvent): Promise<JournalEntry> {
    const appended = this.journaled.then(() => this.opts.journal.append(event));
    this.journaled = appended;
    return appended.then((entry) => {
      this.opts.onEvent?.(entry);
      return entry;
    });
  }

  /** Journals a note without waiting; a failure surfaces at the next awaited event. */
  private note(event: RunEvent): void {
    this.emit(event).catch(() => undefined);
  }

  private async execute(): Promise<RunView> {
    for (const step of this.plan.steps) {
      const view = this.view();
      const current = view.steps.find((s) => s.id === step.id)!;
      if (current.status === 'succeeded' || current.status === 'skipped') continue;
      if (this.opts.signal?.aborted) return this.pause('operator', step.id, 'interrupted by the operator');
      const ok = step.gate ? await this.runGate(step, view) : await this.runStep(step, current.attempts, stepOutputs(view));
      if (!ok) return this.view();
    }
    await this.emit({ type: 'run.completed' });
    return this.view();
  }

  private async pause(reason: 'failedStep' | 'operator', step: string, message: string): Promise<RunView> {
    await this.emit({ type: 'run.paused', reason, step, message });
    return this.view();
  }

  private async runGate(step: Step<S>, view: RunView): Promise<boolean> {
    const gate = step.gate!;
    // A request still open, or approved while no process drove the run (an approval from another machine
    // before a take-over, a crash before the step was journaled as passed), stands; a declined one is asked again.
    const latest = view.approvals.filter((a) => a.gate === gate.name).at(-1);
    const requestedAt =
      latest && (!latest.decision || latest.decision.approved)
        ? latest.requestedAt
        : (await this.emit({ type: 'approval.requested', step: step.id, gate: gate.name, prompt: gate.prompt })).ts;
    const abort = new AbortController();
    const onAbort = () => abort.abort();
    this.opts.signal?.addEventListener('abort', onAbort);
    // The approver (a TTY prompt, auto-approval) and `pra approve` from another terminal race: the first
    // decision journaled wins, and the other is cancelled.
    let answered: Decision | undefined;
    this.opts.approver.request(gate.name, gate.prompt, abort.signal).then(
      (answer) => {
        answered = answer;
      },
      () => undefined,
    );
    try {
      for (;;) {
        await this.opts.journal.refresh();
        const decided = this.view().approvals.find((a) => a.gate === gate.name && a.requestedAt === requestedAt)?.decision;
        if (!decided && answered) {
          await this.emit({ type: answered.approved ? 'approval.given' : 'approval.declined', gate: gate.name, by: answered.by, comment: answered.comment });
          answered = undefined;
          continue;
        }
        if (decided) {
          if (!decided.approved) {
            await this.pause('operator', step.id, `gate ${gate.name} declined by ${decided.by}: ${decided.comment}`);
            return false;
          }
          await this.emit({ type: 'step.succeeded', step: step.id, output: { approvedBy: decided.by, comment: decided.comment } });
          return true;
        }
        if (this.opts.signal?.aborted) {
          await this.pause('operator', step.id, `interrupted while waiting for approval ${gate.name}`);
          return false;
        }
        await this.sleep(this.opts.approvalPollMs ?? 100);
      }
    } finally {
      abort.abort();
      this.opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  private async runStep(step: Step<S>, previousAttempts: number, outputs: Record<string, Json | undefined>): Promise<boolean> {
    let attempt = previousAttempts;
    try {
      await withRetry(
        async () => {
          attempt += 1;
          await this.bounded(step, async (ctx) => {
            await this.emit({ type: 'step.started', step: step.id, attempt, description: step.describe(ctx) });
            const done = step.check ? await step.check(ctx) : undefined;
            if (done) {
              if (step.verify) await step.verify(ctx);
              await this.emit({ type: 'step.skipped', step: step.id, reason: 'already done (check)', output: done.output });
              return;
            }
            const output = await step.act(ctx);
            await this.emit({ type: 'step.acted', step: step.id });
            if (step.verify) await step.verify(ctx);
            await this.emit({ type: 'step.succeeded', step: step.id, output: output ?? undefined });
          }, outputs);
        },
        {
          sleep: this.sleep,
          ...step.retry,
          ...this.opts.retryOverride,
          onRetry: (error, n, delayMs) =>
            this.note({ type: 'step.retried', step: step.id, attempt: n, error: describeError(error), delayMs, system: error instanceof DriverError ? error.system : undefined }),
        },
      );
      return true;
    } catch (error) {
      if (this.opts.signal?.aborted) {
        await this.pause('operator', step.id, `interrupted during ${step.id}`);
        return false;
      }
      await this.emit({ type: 'step.failed', step: step.id, error: describeError(error), system: error instanceof DriverError ? error.system : undefined });
      await this.pause('failedStep', step.id, `${step.id} failed: ${describeError(error)}; fix the cause, then pra resume ${this.opts.journal.runId} (or pra rollback)`);
      return false;
    }
  }

  /** Runs `body` with the step's context under its timeout; the context's signal aborts at the deadline. */
  private async bounded(step: Step<S>, body: (ctx: StepContext<S>) => Promise<void>, outputs: Record<string, Json | undefined>): Promise<void> {
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    this.opts.signal?.addEventListener('abort', onAbort);
    const ctx: StepContext<S> = {
      runId: this.opts.journal.runId,
      systems: this.opts.systems,
      outputs,
      signal: controller.signal,
      progress: (message, data) => {
        this.note({ type: 'step.progress', step: step.id, message, data });
      },
    };
    try {
      await withTimeout(body(ctx), step.timeoutSeconds * 1000, step.id, `step ${step.id}`);
    } finally {
      this.opts.signal?.removeEventListener('abort', onAbort);
      controller.abort();
    }
  }

}
