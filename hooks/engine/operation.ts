import type { Topology } from '../../topology';
import type { Sleep } from '../drivers/common/retry';
import { failbackPlan, failoverPlan } from '../steps/plans';
import { testFailoverPlan } from '../steps/test-failover';
import type { FailbackSystems } from '../steps/systems';
import type { JournalEntry, RunStartedEvent } from './events';
import type { RunView } from './execution';
import { Journal, journalOf, newRunId } from './journal';
import { Runner, type Approver, type RunnerOptions } from './runner';
import type { Plan } from './step';

/** What identifies a plan in a journal, so `pra resume` and `pra rollback` rebuild exactly the same one. */
export interface PlanSpec {
  readonly kind: 'failback' | 'failover' | 'test-failover';
  readonly from: string;
  readonly to: string;
  readonly force: boolean;
  /** test-failover: run the topology's checks against the test VMs (this host reaches the test network). */
  readonly checks?: boolean;
}

export function planFor(topology: Topology, spec: PlanSpec): Plan<FailbackSystems> {
  if (spec.kind === 'test-failover') return testFailoverPlan(topology, spec.from, spec.to, { checks: spec.checks === true });
  return spec.kind === 'failback' ? failbackPlan(topology, spec.from, spec.to) : failoverPlan(topology, spec.from, spec.to, { force: spec.force });
}

export interface OperationOptions {
  readonly journalDir: string;
  readonly operator: string;
  readonly approver: Approver;
  readonly onEvent?: (entry: JournalEntry) => void;
  readonly signal?: AbortSignal;
  readonly approvalPollMs?: number;
  readonly retryOverride?: RunnerOptions<FailbackSystems>['retryOverride'];
  /** The runner's sleeps (retry backoff, approval polls). @default real timers */
  readonly sleep?: Sleep;
  /** Step ids left out of the plan: only the drill sets it, to prove that a step matters. @default none */
  readonly omitSteps?: readonly string[];
}

/** The plan spec a run was started with, read back from its journal. */
export function specOf(journalDir: string, runId: string): PlanSpec & { readonly topologyFile: string; readonly stateFile: string } {
  const first = journalOf(journalDir, runId)[0] as JournalEntry & RunStartedEvent;
  if (first.type !== 'run.started') throw new Error(`no run ${runId} in ${journalDir}: list runs with pra runs`);
  return first.options as never;
}

/**
 * Runs (starts, resumes or rolls back) a plan under the run lock: one run at a time across operators. The lock
 * is released when this process stops driving the run (completed, paused, or crashed: a dead holder's lock
 * is stale), so any operator can resume later.
 */
export async function operate(
  action: 'start' | 'resume' | 'rollback',
  systems: FailbackSystems,
  spec: PlanSpec & { readonly topologyFile: string; readonly stateFile: string },
  options: OperationOptions & { readonly runId?: string },
): Promise<RunView> {
  const runId = options.runId ?? newRunId(systems.now());
  const full = planFor(systems.topology, spec);
  const plan = options.omitSteps?.length ? { ...full, steps: full.steps.filter((s) => !options.omitSteps!.includes(s.id)) } : full;
  const lock = await systems.authority.acquireRunLock({ holder: `${options.operator} (run ${runId})`, reason: `${action} ${plan.name}` });
  try {
    const journal = new Journal(options.journalDir, runId);
    const runner = new Runner(plan, {
      journal,
      systems,
      approver: options.approver,
      operator: options.operator,
      onEvent: options.onEvent,
      signal: options.signal,
      approvalPollMs: options.approvalPollMs,
      retryOverride: options.retryOverride,
      sleep: options.sleep,
    });
    if (action === 'start') return await runner.start({ ...spec });
    if (action === 'resume') return await runner.resume();
    return await runner.rollback(`requested by ${options.operator}`);
  } finally {
    await lock.release();
  }
}
