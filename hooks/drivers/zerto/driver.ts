import { NotFoundError, PermanentError } from '../common/errors';
import { pollUntil, type Sleep } from '../common/retry';
import type { ZertoClient } from './client';
import { field, list, num, str } from './fields';
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
    return list(await this.client.get(`/v1/vms?vpgName=${q(name)}`)).map((v) => ({ id: str(v, 'VmIdentifier') ?? '', name: str(v, 'VmName') ?? '' }));
  }

  async alerts(name: string): Promise<Alert[]> {
    const vpg = await this.getVpg(name);
    return list(await this.client.get(`/v1/alerts?vpgIdentifier=${q(vpg.id)}`)).map((a) => ({
      id: str(a, 'AlertIdentifier') ?? '',
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
    const at = (key: string) => (field(stats, key) ? toCheckpoint(field(stats, key)) : undefined);
    return { earliest: at('EarliestCheckpoint'), latest: at('LatestCheckpoint') };
  }

  /** Tags a checkpoint (before a failback), or returns the one already carrying `tag`. */
  async tagCheckpoint(name: string, tag: string): Promise<Checkpoint> {
    const vpg = await this.getVpg(name);
    const tagged = async () => (await this.checkpointsOf(vpg.id)).find((c) => c.tag === tag);
    const existing = await tagged();
    if (existing) return existing;
    await this.client.post(`/v1/vpgs/${q(vpg.id)}/checkpoints`, { checkpointName: tag });
    this.client.log(`${this.client.system}: checkpoint ${tag} tagged on ${name}`);
    return this.poll(`checkpoint ${tag} of ${name}`, { timeoutMs: 30_000, intervalMs: 250 }, tagged);
  }

  /** Starts a Move (planned: the ZVM shuts the protected VMs down first). Returns the task id. */
  async move(name: string, options: MoveOptions = {}): Promise<string> {
    const vpg = await this.getVpg(name);
    return this.action(vpg, 'Move', {
      CommitPolicy: COMMIT_POLICY[options.commitPolicy ?? 'none'],
      CommitPolicyTimeout: options.commitPolicyTimeoutSeconds ?? 0,
      ForceShutdown: options.forceShutdown ?? false,
      ReverseProtection: options.reverseProtection ?? true,
      KeepSourceVms: options.keepSourceVms ?? false,
      ContinueOnPreScriptFailure: options.continueOnPreScriptFailure ?? false,
    });
  }

  /** Starts a Failover (the source may be gone; protected VMs left running by default). Returns the task id. */
  async failover(name: string, options: FailoverOptions = {}): Promise<string> {
    const vpg = await this.getVpg(name);
    return this.action(vpg, 'Failover', {
      CheckpointIdentifier: options.checkpointId ?? null,
      CommitPolicy: COMMIT_POLICY[options.commitPolicy ?? 'none'],
      ShutdownPolicy: SHUTDOWN_POLICY[options.shutdownPolicy ?? 'none'],
      TimeToWaitBeforeShutdownInSec: options.timeToWaitBeforeShutdownSeconds ?? 0,
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

  private async action(vpg: Vpg, verb: string, body?: Record<string, unknown>): Promise<string> {
    const answer = await this.client.post(`/v1/vpgs/${q(vpg.id)}/${verb}`, body);
    const taskId = typeof answer === 'string' ? answer : str(answer, 'TaskIdentifier');
    if (!taskId) throw new PermanentError(this.client.system, `${verb} on ${vpg.name} answered without a task id`);
    this.client.log(`${this.client.system}: ${verb} started on ${vpg.name} (task ${taskId})`);
    return taskId;
  }

  private async toVpg(v: unknown): Promise<Vpg> {
    return {
      id: str(v, 'VpgIdentifier') ?? '',
      name: str(v, 'VpgName') ?? '',
      status: num(v, 'Status') ?? -1,
      statusName: await this.names.status(v),
      subStatus: num(v, 'SubStatus') ?? -1,
      subStatusName: await this.names.subStatus(v),
      actualRpoSeconds: num(v, 'ActualRPO') ?? 0,
      configuredRpoSeconds: num(v, 'ConfiguredRpoSeconds'),
      protectedSiteId: str(field(v, 'ProtectedSite'), 'identifier'),
      recoverySiteId: str(field(v, 'RecoverySite'), 'identifier'),
      sourceSite: str(v, 'SourceSite'),
      targetSite: str(v, 'TargetSite'),
      vmsCount: num(v, 'VmsCount'),
    };
  }
}

function toCheckpoint(c: unknown): Checkpoint {
  return { id: str(c, 'CheckpointIdentifier') ?? '', tag: str(c, 'Tag') ?? undefined, time: new Date(str(c, 'TimeStamp') ?? 0) };
}
