import type { Topology } from '../../topology';
import type { Sleep } from '../drivers/common/retry';
import { failbackPlan, failoverPlan } from '../steps/plans';
import { testFailoverPlan } from '../steps/test-failover';
import type { FailbackSystems } from '../steps/systems';
import type { JournalEntry, RunStartedEvent } from './events';
import type { RunView } from './execution';
import { newRunId } from './journal';
import { localRunStore, runEntries, type RunStore } from './run-store';
import { etcdRunStore } from './etcd-run-store';
import { Runner, type Approver, type RunnerOptions } from './runner';
import type { Authority } from '../drivers/authority';
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

/** Where runs are journaled: in etcd (with a local copy in `journalDir`) when the authority shares them, else in `journalDir`. */
export function runStoreOf(authority: Pick<Authority, 'runLog'>, journalDir: string): RunStore {
  return authority.runLog ? etcdRunStore(authority.runLog, journalDir) : localRunStore(journalDir);
}

/** The plan spec a run was started with, read back from its journal. */
export async function specOf(store: RunStore, runId: string): Promise<PlanSpec & { readonly topologyFile: string; readonly stateFile: string }> {
  const first = (await runEntries(store, runId))[0] as JournalEntry & RunStartedEvent;
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
  options: OperationOptions & { readonly runId?: string; readonly takeOver?: boolean },
): Promise<RunView> {
  const runId = options.runId ?? newRunId(systems.now());
  const full = planFor(systems.topology, spec);
  const plan = options.omitSteps?.length ? { ...full, steps: full.steps.filter((s) => !options.omitSteps!.includes(s.id)) } : full;
  const lock = await systems.authority.acquireRunLock({ holder: `${options.operator} (run ${runId})`, reason: `${action} ${plan.name}` });
  try {
    const journal = await runStoreOf(systems.authority, options.journalDir).open(runId, lock);
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
    if (action === 'resume') return await runner.resume({ takeOver: options.takeOver });
    return await runner.rollback(`requested by ${options.operator}`);
  } finally {
    // A lease that cannot be revoked now (etcd down) expires by itself within its TTL: do not hide why the run stopped.
    await lock.release().catch(() => undefined);
  }
}
