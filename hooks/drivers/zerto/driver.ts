import { NotFoundError, PermanentError } from '../common/errors';
import { pollUntil, type Sleep } from '../common/retry';
import { beforeCommitWait, sendAction } from './actions';
import type { ZertoClient } from './client';
import { field, idOf, list, num, str, toProtectedVm } from './fields';
import {
  COMMIT_POLICY,
  isBeforeCommit,
  SHUTDOWN_POLICY,
  TaskState,
  type Alert,
  type Checkpoint,
  type CommitOptions,
  type FailoverOptions,
  type MoveOptions,
  type ProtectedVm,
  type Task,
  type Vpg,
} from './model';
import { StatusNames } from './statuses';

export interface WaitOptions {
  readonly timeoutMs: number;
  /** @default 500 */
  readonly intervalMs?: number;
}

const q = encodeURIComponent;

type CheckpointWindow = { readonly start?: Date; readonly end?: Date };

/**
 * The Zerto operations the failback needs, over one ZVM's REST API v1. Knows nothing of the plan:
 * reads (VPGs, RPO, VMs, alerts, checkpoints, tasks) and the recovery actions with their documented bodies.
 */
export class ZertoDriver {
  private readonly names: StatusNames;
  private readonly sleep?: Sleep;

  constructor(
    readonly client: ZertoClient,
    deps: { readonly sleep?: Sleep } = {},
  ) {
    this.sleep = deps.sleep;
    this.names = new StatusNames(client);
  }

  async listVpgs(): Promise<Vpg[]> {
    return Promise.all(list(await this.client.get('/v1/vpgs')).map((v) => this.toVpg(v)));
  }

  async findVpg(name: string): Promise<Vpg | undefined> {
    const found = list(await this.client.get(`/v1/vpgs?name=${q(name)}`)).find((v) => str(v, 'VpgName') === name);
    return found === undefined ? undefined : this.toVpg(found);
  }

  async getVpg(name: string): Promise<Vpg> {
    const vpg = await this.findVpg(name);
    if (!vpg) throw new NotFoundError(this.client.system, `VPG ${name} not found: check its name in the topology, or create it with pra vpg sync`);
    return vpg;
  }

  async actualRpoSeconds(name: string): Promise<number> {
    return (await this.getVpg(name)).actualRpoSeconds;
  }

  async vms(name: string): Promise<ProtectedVm[]> {
    return list(await this.client.get(`/v1/vms?vpgName=${q(name)}`)).map(toProtectedVm);
  }

  async alerts(name: string): Promise<Alert[]> {
    const vpg = await this.getVpg(name);
    return list(await this.client.get(`/v1/alerts?vpgIdentifier=${q(vpg.id)}`)).map((a) => ({
      id: idOf(a, 'AlertIdentifier'),
      level: str(a, 'Level') ?? '',
      description: str(a, 'Description') ?? '',
      turnedOn: str(a, 'TurnedOn'),
    }));
  }

  async checkpoints(name: string, window: CheckpointWindow = {}): Promise<Checkpoint[]> {
    return this.checkpointsOf((await this.getVpg(name)).id, window);
  }

  async checkpointStats(name: string): Promise<{ earliest?: Checkpoint; latest?: Checkpoint }> {
    const vpg = await this.getVpg(name);
    const stats = await this.client.get(`/v1/vpgs/${q(vpg.id)}/checkpoints/stats`);
    // 10.x names them `earliest`/`latest`; older ZVMs `EarliestCheckpoint`/`LatestCheckpoint`.
    const at = (...keys: string[]) => {
      const c = keys.map((k) => field(stats, k)).find((v) => v !== undefined && v !== null);
      return c === undefined ? undefined : toCheckpoint(c);
    };
    return { earliest: at('Earliest', 'EarliestCheckpoint'), latest: at('Latest', 'LatestCheckpoint') };
  }

  /**
   * Tags a checkpoint (before a failback), or returns the one already carrying `tag` within `lookbackMs`.
   * Waits on the task the tagging answers, then reads only the checkpoints of a short window: a real journal
   * holds thousands (one every few seconds).
   */
  async tagCheckpoint(name: string, tag: string, options: { readonly lookbackMs?: number; readonly timeoutMs?: number } = {}): Promise<Checkpoint> {
    const vpg = await this.getVpg(name);
    const taggedSince = async (start: Date) => (await this.checkpointsOf(vpg.id, { start })).find((c) => c.tag === tag);
    const existing = await taggedSince(new Date(Date.now() - (options.lookbackMs ?? TAG_LOOKBACK_MS)));
    if (existing) return existing;
    const sent = new Date(Date.now() - CLOCK_SKEW_MS);
    const taskId = await this.action(vpg, 'checkpoints', { checkpointName: tag });
    await this.waitForTask(taskId, { timeoutMs: options.timeoutMs ?? 60_000, intervalMs: 100 });
    const tagged = await taggedSince(sent);
    if (!tagged) throw new PermanentError(this.client.system, `checkpoint ${tag} of ${name}: the tagging task completed but no checkpoint carries the tag`);
    return tagged;
  }

  /** Starts a Move (planned: the ZVM shuts the protected VMs down first). Returns the task id. */
  async move(name: string, options: MoveOptions = {}): Promise<string> {
    const vpg = await this.getVpg(name);
    const policy = options.commitPolicy ?? 'none';
    return this.action(vpg, 'Move', {
      CommitPolicy: COMMIT_POLICY[policy],
      ...beforeCommitWait('CommitPolicyTimeout', policy, options.commitPolicyTimeoutSeconds, this.client.system),
      ForceShutdown: options.forceShutdown ?? false,
      ReverseProtection: options.reverseProtection ?? true,
      KeepSourceVms: options.keepSourceVms ?? false,
      ContinueOnPreScriptFailure: options.continueOnPreScriptFailure ?? false,
    });
  }

  /** Starts a Failover (the source may be gone; protected VMs left running by default). Returns the task id. */
  async failover(name: string, options: FailoverOptions = {}): Promise<string> {
    const vpg = await this.getVpg(name);
    const policy = options.commitPolicy ?? 'none';
    return this.action(vpg, 'Failover', {
      CheckpointIdentifier: options.checkpointId ?? null,
      CommitPolicy: COMMIT_POLICY[policy],
      ShutdownPolicy: SHUTDOWN_POLICY[options.shutdownPolicy ?? 'none'],
      // Despite its name, how long the failover stays Before Commit before its commit policy acts.
      ...beforeCommitWait('TimeToWaitBeforeShutdownInSec', policy, options.beforeCommitWaitSeconds, this.client.system),
      IsReverseProtection: options.reverseProtection ?? true,
      VmIdentifiers: options.vmIds ? [...options.vmIds] : null,
    });
  }

  /** Commits the Move or Failover waiting on `name` (MoveCommit or FailoverCommit by the VPG's status). */
  async commit(name: string, options: CommitOptions = {}): Promise<string> {
    const vpg = await this.getVpg(name);
    const reverse = options.reverseProtection ?? true;
    return this.operationOf(vpg) === 'Move'
      ? this.action(vpg, 'MoveCommit', { ReverseProtection: reverse, KeepSourceVms: options.keepSourceVms ?? false })
      : this.action(vpg, 'FailoverCommit', { IsReverseProtection: reverse });
  }

  /** Rolls back the uncommitted Move or Failover on `name`: target VMs removed, VPG back on its source. */
  async rollback(name: string): Promise<string> {
    const vpg = await this.getVpg(name);
    return this.operationOf(vpg) === 'Move' ? this.action(vpg, 'moveRollback') : this.action(vpg, 'FailoverRollback');
  }

  /**
   * Starts a Failover Test: test VMs come up at the recovery site in the VPG's test network, replication goes
   * on, production is untouched. Returns the task id; the test runs until `stopFailoverTest`.
   */
  async failoverTest(name: string, options: { readonly checkpointId?: string } = {}): Promise<string> {
    const vpg = await this.getVpg(name);
    return this.action(vpg, 'FailoverTest', options.checkpointId === undefined ? {} : { CheckpointIdentifier: options.checkpointId });
  }

  /** Ends the Failover Test on `name`, recording the operator's verdict and notes in Zerto's test report. */
  async stopFailoverTest(name: string, result: { readonly success: boolean; readonly summary: string }): Promise<string> {
    const vpg = await this.getVpg(name);
    return this.action(vpg, 'FailoverTestStop', { FailoverTestSuccess: result.success, FailoverTestSummary: result.summary });
  }

  async task(id: string): Promise<Task> {
    const t = await this.client.get(`/v1/tasks/${q(id)}`);
    const status = field(t, 'Status');
    return { id, type: str(t, 'Type'), state: num(status, 'State') ?? 0, progress: num(status, 'Progress'), completeReason: str(t, 'CompleteReason') };
  }

  /**
   * Waits until the task completed (or, with `waitingIsDone`, waits for the user: a recovery with commit
   * policy None). A failed or stopped task is a PermanentError carrying the ZVM's reason.
   */
  async waitForTask(id: string, options: WaitOptions & { readonly waitingIsDone?: boolean }): Promise<Task> {
    return this.poll(`task ${id}`, options, async () => {
      const t = this.unlessEnded(await this.task(id));
      return t.state === TaskState.Completed || (options.waitingIsDone === true && t.state === TaskState.WaitingForUserInput) ? t : undefined;
    });
  }

  /** Polls `name` until `reached` holds; `what` names the awaited state in the timeout message. */
  async waitForVpg(name: string, what: string, reached: (vpg: Vpg) => boolean, options: WaitOptions): Promise<Vpg> {
    return this.poll(`${name} ${what}`, options, async () => {
      const vpg = await this.getVpg(name);
      return reached(vpg) ? vpg : undefined;
    });
  }

  /** Waits for *BeforeCommit (target VMs up, commit or rollback possible); the recovery task failing ends the wait. */
  async waitForBeforeCommit(name: string, taskId: string, options: WaitOptions): Promise<Vpg> {
    return this.poll(`${name} MovingBeforeCommit or FailingOverBeforeCommit`, options, async () => {
      this.unlessEnded(await this.task(taskId));
      const vpg = await this.getVpg(name);
      return isBeforeCommit(vpg) ? vpg : undefined;
    });
  }

  private async checkpointsOf(vpgId: string, window: CheckpointWindow = {}): Promise<Checkpoint[]> {
    const params = new URLSearchParams();
    if (window.start) params.set('startDate', window.start.toISOString());
    if (window.end) params.set('endDate', window.end.toISOString());
    const query = params.size ? `?${params}` : '';
    return list(await this.client.get(`/v1/vpgs/${q(vpgId)}/checkpoints${query}`)).map(toCheckpoint);
  }

  private unlessEnded(t: Task): Task {
    if (t.state !== TaskState.Failed && t.state !== TaskState.Stopped) return t;
    throw new PermanentError(this.client.system, `task ${t.type ?? t.id} ${t.state === TaskState.Failed ? 'failed' : 'was stopped'}: ${t.completeReason ?? 'no reason given'}`);
  }

  private poll<T>(what: string, options: WaitOptions, probe: () => Promise<T | undefined>): Promise<T> {
    return pollUntil(probe, { timeoutMs: options.timeoutMs, intervalMs: options.intervalMs ?? 500, system: this.client.system, what, sleep: this.sleep });
  }

  private operationOf(vpg: Vpg): 'Move' | 'Failover' {
    if (vpg.statusName === 'Moving') return 'Move';
    if (vpg.statusName === 'FailingOver') return 'Failover';
    throw new PermanentError(this.client.system, `VPG ${vpg.name} is ${vpg.statusName}/${vpg.subStatusName}: no Move or Failover to commit or roll back`);
  }

  /** A VPG action, sent at most once per start the ZVM shows (`sendAction`). */
  private action(vpg: Vpg, verb: string, body?: Record<string, unknown>): Promise<string> {
    return sendAction(this.client, vpg, verb, body, this.sleep);
  }

  private async toVpg(v: unknown): Promise<Vpg> {
    return {
      id: idOf(v, 'VpgIdentifier'),
      name: str(v, 'VpgName') ?? '',
      status: num(v, 'Status') ?? -1,
      statusName: await this.names.status(v),
      subStatus: num(v, 'SubStatus') ?? -1,
      subStatusName: await this.names.subStatus(v),
      actualRpoSeconds: num(v, 'ActualRPO') ?? 0,
      configuredRpoSeconds: num(v, 'ConfiguredRpoSeconds'),
      protectedSiteId: str(field(v, 'ProtectedSite'), 'identifier'),
      recoverySiteId: str(field(v, 'RecoverySite'), 'identifier'),
      // 10.x: ProtectedSiteName/RecoverySiteName; older ZVMs: SourceSite/TargetSite.
      sourceSite: str(v, 'ProtectedSiteName') ?? str(v, 'SourceSite'),
      targetSite: str(v, 'RecoverySiteName') ?? str(v, 'TargetSite'),
      vmsCount: num(v, 'VmsCount'),
      testRunning: isPresent(field(field(v, 'ActiveProcessesApi'), 'RunningFailOverTestApi')),
    };
  }
}

/** How far back an existing tag is looked for (a resumed failback finds the tag it wrote). */
const TAG_LOOKBACK_MS = 6 * 3600_000;
/** Margin for the ZVM's clock against ours when reading a window of checkpoints. */
const CLOCK_SKEW_MS = 5 * 60_000;
const isPresent = (v: unknown): boolean => v !== undefined && v !== null;

function toCheckpoint(c: unknown): Checkpoint {
  return { id: str(c, 'CheckpointIdentifier') ?? '', tag: str(c, 'Tag') ?? undefined, time: new Date(str(c, 'TimeStamp') ?? 0) };
}
