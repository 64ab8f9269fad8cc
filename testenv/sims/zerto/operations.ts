import { COMMIT_POLICY } from '../../../hooks/drivers/zerto/model';
import { status, subStatus, TaskState, VPG_STATUSES } from './catalog';
import type { DiskImage } from '../../guests/disk';
import type { GuestDisks } from './disks';
import type { Inventory } from './inventory';
import type { SiteVmPower } from './power';
import type { RecoveredNames } from './world';
import type { Tasks } from './tasks';
import { defaultPlacement, isReplicating, markReplicating, type FailoverTest, type Operation, type SimVpg } from './vpgs';

/** The simulated durations of a recovery, settable through the control endpoint. */
export interface Delays {
  /** From Move/Failover to the target VMs powered on and the VPG *BeforeCommit. */
  syncMs: number;
  /** From a commit or rollback request to its end. */
  commitMs: number;
  /** From a commit with reverse protection to the reversed VPG meeting its SLA again. */
  reverseProtectionMs: number;
}

/** A refusal the API reports as `{Message}` with this HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface RecoveryRequest {
  readonly kind: 'move' | 'failover';
  /** A value of COMMIT_POLICY (the API's numbers). */
  readonly commitPolicy: number;
  /** Seconds before an automatic commit or rollback (policies Commit and Rollback). */
  readonly commitPolicyTimeoutSec: number;
  readonly reverseProtection: boolean;
  /** A Move's `KeepSourceVms`: its commit leaves the protected VMs in place. */
  readonly keepSourceVms?: boolean;
  /** Power the protected VMs off first: always for a Move, ShutdownPolicy > 0 for a Failover. */
  readonly shutdownSource: boolean;
  readonly checkpointId?: string;
  /** A Failover may recover a subset of the VPG's VMs. */
  readonly vmIds?: readonly string[];
}

/** What a failover test appends to the name of each VM it creates (Zerto's guides: "with the suffix testing recovery"). */
export const TEST_SUFFIX = ' - testing recovery';

/** The guests' replicated disks, and the address a VPG's NIC settings give a recovered VM (nics.ts). */
export interface Replication {
  readonly disks: GuestDisks;
  reIp(vpgId: string, vmId: string, test: boolean): string | undefined;
}

/** Task types as the SDK names them (ZertoPublic/zvml-python-sdk `ZertoTaskTypes`). */
const label = (kind: Operation['kind']) => (kind === 'move' ? 'Move' : 'FailOver');

/**
 * The VPG state machine of a Move or Failover: syncing -> *BeforeCommit (target VMs powered on) ->
 * commit (-> reverse protection flips the VPG, then MeetingSLA; or Recovered) | rollback (-> MeetingSLA on
 * the original side, target VMs off, source VMs on again).
 */
export class Recoveries {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly inventory: Inventory,
    private readonly tasks: Tasks,
    private readonly power: SiteVmPower,
    readonly delays: Delays,
    private readonly names: RecoveredNames,
    private readonly replication: Replication,
  ) {}

  start(vpg: SimVpg, req: RecoveryRequest): string {
    const vmIds = this.recoverable(vpg, req.kind, req.checkpointId, req.vmIds);
    const task = this.tasks.start(label(req.kind), vpg.id);
    const op: Operation = { kind: req.kind, taskId: task.id, reverseProtection: req.reverseProtection, poweredOff: [], poweredOn: [], created: [], phase: 'syncing' };
    vpg.operation = op;
    vpg.status = status(req.kind === 'move' ? 'Moving' : 'FailingOver');
    vpg.subStatus = subStatus('None');
    // A live source is recovered from its latest checkpoint, taken before this call returns (a checkpointId is
    // honoured as that: the drill's disks keep no history); a Move shuts the source down first, then checkpoints.
    const live = req.shutdownSource ? undefined : this.checkpoint(vpg, vmIds);
    this.later(this.delays.syncMs, async () => {
      try {
        if (req.shutdownSource) await this.powerVms('powerOff', vpg.protectedSiteId, vmIds, op.poweredOff);
        const targets = await this.recoveryVms(vpg, vmIds, op.created);
        this.attachDisks(vpg, vmIds, targets, live ?? this.checkpoint(vpg, vmIds), false);
        await this.powerVms('powerOn', vpg.recoverySiteId, targets, op.poweredOn);
      } catch (e) {
        await this.abandon(vpg, op, (e as Error).message);
        return;
      }
      op.phase = 'beforeCommit';
      vpg.subStatus = subStatus(req.kind === 'move' ? 'MovingBeforeCommit' : 'FailingOverBeforeCommit');
      const waiting = this.tasks.get(op.taskId);
      if (waiting) {
        waiting.progress = 50;
        if (req.commitPolicy === COMMIT_POLICY.none) waiting.state = TaskState.WaitingForUserInput;
      }
      const auto = req.commitPolicyTimeoutSec * 1000;
      if (req.commitPolicy === COMMIT_POLICY.commit) this.later(auto, async () => void this.commit(vpg, req.kind, req.reverseProtection, req.keepSourceVms));
      if (req.commitPolicy === COMMIT_POLICY.rollback) this.later(auto, async () => void this.rollback(vpg, req.kind));
    });
    return task.id;
  }

  commit(vpg: SimVpg, kind: Operation['kind'], reverseProtection: boolean, keepSourceVms = false): string {
    const op = this.waitingOperation(vpg, kind, 'commit');
    const task = this.tasks.start(kind === 'move' ? 'MoveCommit' : 'FailoverCommit', vpg.id);
    op.phase = 'committing';
    vpg.subStatus = subStatus(kind === 'move' ? 'MovingCommitting' : 'FailingOverCommitting');
    this.later(this.delays.commitMs, async () => {
      // The protected VMs a recovery re-created go: on a Move unless kept, on a Failover with reverse protection
      // (docs/zerto.md, "What Zerto does to a recovered VM").
      const recovered = new Set(op.created.map((id) => this.vmName(id)));
      const removes = kind === 'move' ? !keepSourceVms : reverseProtection;
      const removed = removes ? vpg.vmIds.filter((id) => recovered.has(this.vmName(id))) : [];
      try {
        await this.removeVms(vpg.protectedSiteId, removed);
      } catch (e) {
        this.tasks.finish(task.id, TaskState.Failed, (e as Error).message);
        return;
      }
      this.tasks.finish(op.taskId, TaskState.Completed, 'Committed');
      this.tasks.finish(task.id, TaskState.Completed, 'Committed');
      vpg.operation = undefined;
      if (reverseProtection) this.reverse(vpg, op.created);
      else Object.assign(vpg, { status: status('Recovered'), subStatus: subStatus('None'), actualRpoSeconds: 0 });
    });
    return task.id;
  }

  rollback(vpg: SimVpg, kind: Operation['kind']): string {
    const op = this.waitingOperation(vpg, kind, 'roll back');
    const task = this.tasks.start(kind === 'move' ? 'MoveRollback' : 'FailoverRollback', vpg.id);
    op.phase = 'rollingBack';
    vpg.subStatus = subStatus(kind === 'move' ? 'MovingRollingBack' : 'FailingOverRollingBack');
    this.later(this.delays.commitMs, async () => {
      try {
        await this.restore(vpg, op);
      } catch (e) {
        this.tasks.finish(task.id, TaskState.Failed, (e as Error).message);
        return;
      }
      this.tasks.finish(op.taskId, TaskState.Stopped, 'Rolled back');
      this.tasks.finish(task.id, TaskState.Completed, 'Rolled back');
    });
    return task.id;
  }

  /**
   * FailoverTest: the test VMs come up at the recovery site (in the VPG's test network) while replication
   * goes on; the task completes once they are up. They stay until FailoverTestStop.
   */
  startTest(vpg: SimVpg, checkpointId: string | undefined, vmIds: readonly string[] | undefined): string {
    const tested = this.recoverable(vpg, 'test', checkpointId, vmIds);
    const task = this.tasks.start('FailOverTest', vpg.id);
    const test: FailoverTest = { taskId: task.id, stage: 'Starting', poweredOn: [], created: [] };
    vpg.test = test;
    const disks = this.checkpoint(vpg, tested);
    this.later(this.delays.syncMs, async () => {
      try {
        const targets = await this.recoveryVms(vpg, tested, test.created, TEST_SUFFIX);
        this.attachDisks(vpg, tested, targets, disks, true);
        await this.powerVms('powerOn', vpg.recoverySiteId, targets, test.poweredOn);
      } catch (e) {
        this.tasks.finish(task.id, TaskState.Failed, (e as Error).message);
        await this.endTest(vpg, test).catch(() => undefined);
        return;
      }
      test.stage = 'Testing';
      this.tasks.finish(task.id, TaskState.Completed, 'Failover test started');
    });
    return task.id;
  }

  /** FailoverTestStop: the test VMs are powered off and removed; the VPG keeps replicating. */
  stopTest(vpg: SimVpg): string {
    const test = vpg.test;
    if (!test || test.stage !== 'Testing') throw new ApiError(400, `VPG ${vpg.name} has no failover test ${test ? 'to stop yet' : 'running'}`);
    const task = this.tasks.start('StopFailOverTest', vpg.id);
    test.stage = 'Stopping';
    this.later(this.delays.commitMs, async () => {
      try {
        await this.endTest(vpg, test);
        this.tasks.finish(task.id, TaskState.Completed, 'Failover test stopped');
      } catch (e) {
        this.tasks.finish(task.id, TaskState.Failed, (e as Error).message);
      }
    });
    return task.id;
  }

  /** Stops every pending transition (reset). */
  cancelAll(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /**
   * Reverse protection: the VPG now protects the recovered VMs back toward the original site: those the recovery
   * `created` (protected-name model), else the topology's peers.
   */
  private reverse(vpg: SimVpg, created: readonly string[]): void {
    const peers = created.length ? created.map((id) => this.inventory.vm(id)?.vm) : vpg.vmIds.map((id) => this.inventory.peerOf(id));
    if (peers.some((p) => p === undefined)) {
      Object.assign(vpg, { status: status('NotMeetingSLA'), subStatus: subStatus('NeedsConfiguration') });
      return;
    }
    const original = this.inventory.site(vpg.protectedSiteId);
    if (!original) throw new Error(`VPG ${vpg.name}: protected site ${vpg.protectedSiteId} vanished`);
    Object.assign(vpg, {
      protectedSiteId: vpg.recoverySiteId,
      recoverySiteId: vpg.protectedSiteId,
      vmIds: peers.map((p) => p!.id),
      placement: defaultPlacement(original),
      status: status('Initializing'),
      subStatus: subStatus('DeltaSync'),
    });
    this.later(this.delays.reverseProtectionMs, async () => markReplicating(vpg));
  }

  private async endTest(vpg: SimVpg, test: FailoverTest): Promise<void> {
    await this.power.powerOff(this.siteName(vpg.recoverySiteId), test.poweredOn.map((id) => this.vmName(id)));
    await this.removeVms(vpg.recoverySiteId, test.created);
    vpg.test = undefined;
    vpg.lastTest = new Date();
  }

  /**
   * The VMs a Move, Failover or test of `vpg` recovers (`vmIds`, or all of them), once the ZVM would accept it: no
   * other action in progress on the VPG (a Move, a Failover, a test), replicating, a known checkpoint, its own VMs.
   */
  private recoverable(vpg: SimVpg, action: Operation['kind'] | 'test', checkpointId: string | undefined, vmIds: readonly string[] | undefined): string[] {
    if (vpg.operation) throw new ApiError(400, `VPG ${vpg.name} already has a ${vpg.operation.kind} in progress`);
    if (vpg.test) throw new ApiError(400, `VPG ${vpg.name} has a failover test in progress`);
    if (!isReplicating(vpg)) throw new ApiError(400, `VPG ${vpg.name} is ${VPG_STATUSES[vpg.status]}: only a replicating VPG can ${action === 'test' ? 'be tested' : action}`);
    if (checkpointId !== undefined && !vpg.checkpoints.some((c) => c.id === checkpointId)) throw new ApiError(400, `Checkpoint ${checkpointId} does not exist in VPG ${vpg.name}`);
    const stranger = vmIds?.find((id) => !vpg.vmIds.includes(id));
    if (stranger !== undefined) throw new ApiError(400, `VM ${stranger} is not protected by VPG ${vpg.name}`);
    return vmIds?.length ? [...vmIds] : [...vpg.vmIds];
  }

  private waitingOperation(vpg: SimVpg, kind: Operation['kind'], verb: string): Operation {
    const op = vpg.operation;
    if (!op || op.kind !== kind) throw new ApiError(400, `VPG ${vpg.name} has no ${kind} to ${verb}`);
    if (op.phase !== 'beforeCommit') throw new ApiError(400, `VPG ${vpg.name}: cannot ${verb} while ${op.phase}`);
    return op;
  }

  /**
   * The VMs a recovery of `vmIds` brings up at the recovery site. Protected-name model: created there under the
   * protected VMs' names (plus `suffix`) in the VPG's recovery folder from their VMX, recorded in `created`.
   * Peer model: the topology's peers, which exist there already.
   */
  private async recoveryVms(vpg: SimVpg, vmIds: readonly string[], created: string[], suffix = ''): Promise<string[]> {
    if (this.names === 'peer') {
      return vmIds.map((id) => {
        const peer = this.inventory.peerOf(id);
        if (!peer) throw new Error(`VM ${this.vmName(id)} has no recovery VM at the other site`);
        return peer.id;
      });
    }
    const recovery = this.inventory.site(vpg.recoverySiteId)!;
    const folder = recovery.folder.id === vpg.placement.folderId ? recovery.folder.name : undefined;
    const from = this.siteName(vpg.protectedSiteId);
    const specs = vmIds.map((id) => ({ name: `${this.vmName(id)}${suffix}`, folder, from: { site: from, name: this.vmName(id) } }));
    await this.power.create(recovery.name, specs);
    const ids = specs.map((spec) => this.inventory.add(recovery.id, spec.name).id);
    created.push(...ids);
    return ids;
  }

  /** The protected VMs' disks as they are now (VM id -> its disk, when a drill guest has one). */
  private checkpoint(vpg: SimVpg, vmIds: readonly string[]): Map<string, DiskImage | undefined> {
    const site = this.siteName(vpg.protectedSiteId);
    return new Map(vmIds.map((id) => [id, this.replication.disks.checkpoint(site, this.vmName(id))]));
  }

  /** Each recovered VM (`targets`, in `vmIds` order) gets its protected VM's checkpoint disk, re-IPed if its NIC says so. */
  private attachDisks(vpg: SimVpg, vmIds: readonly string[], targets: readonly string[], disks: ReadonlyMap<string, DiskImage | undefined>, test: boolean): void {
    const site = this.siteName(vpg.recoverySiteId);
    vmIds.forEach((id, i) => this.replication.disks.attach(site, this.vmName(targets[i]), disks.get(id), this.replication.reIp(vpg.id, id, test)));
  }

  /** Removes VMs from a site's vCenter and from the inventory. */
  private async removeVms(siteId: string, vmIds: readonly string[]): Promise<void> {
    await this.power.remove(this.siteName(siteId), vmIds.map((id) => this.vmName(id)));
    for (const id of vmIds) this.inventory.remove(id);
  }

  /** Powers the VMs on or off at a site, then records them in `done` (what a rollback undoes). */
  private async powerVms(action: 'powerOn' | 'powerOff', siteId: string, vmIds: readonly string[], done: string[]): Promise<void> {
    await this.power[action](this.siteName(siteId), vmIds.map((id) => this.vmName(id)));
    done.push(...vmIds);
  }

  /** Undoes an operation's VM actions and returns the VPG to replicating on its original side. */
  private async restore(vpg: SimVpg, op: Operation): Promise<void> {
    await this.power.powerOff(this.siteName(vpg.recoverySiteId), op.poweredOn.map((id) => this.vmName(id)));
    await this.removeVms(vpg.recoverySiteId, op.created);
    op.created.length = 0;
    await this.power.powerOn(this.siteName(vpg.protectedSiteId), op.poweredOff.map((id) => this.vmName(id)));
    vpg.operation = undefined;
    markReplicating(vpg);
  }

  /** A recovery that could not power its VMs: the task fails and the VPG goes back as after a rollback. */
  private async abandon(vpg: SimVpg, op: Operation, reason: string): Promise<void> {
    this.tasks.finish(op.taskId, TaskState.Failed, reason);
    // Best effort, as Zerto's own cleanup: the VPG replicates again on its original side either way.
    await this.restore(vpg, op).catch(() => undefined);
    vpg.operation = undefined;
    Object.assign(vpg, { status: status('MeetingSLA'), subStatus: subStatus('None') });
  }

  private siteName(siteId: string): string {
    return this.inventory.site(siteId)?.name ?? siteId;
  }

  private vmName(vmId: string): string {
    return this.inventory.vm(vmId)?.vm.name ?? vmId;
  }

  private later(ms: number, step: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      step().catch((e: Error) => process.stderr.write(`zerto-sim: ${e.message}\n`));
    }, ms);
    this.timers.add(timer);
  }
}
