import { randomUUID } from 'node:crypto';
import type { Topology } from '../../../topology';
import { status, subStatus, VPG_STATUSES, VPG_SUBSTATUSES } from './catalog';
import type { Inventory, SimSite } from './inventory';

/** Where a VPG's recovered VMs land, as Zerto identifiers of the recovery site's inventory. */
export interface RecoveryPlacement {
  clusterId: string;
  datastoreId: string;
  networkId: string;
  testNetworkId?: string;
  folderId?: string;
  journalDatastoreId?: string;
  resourcePoolId?: string;
}

export interface Checkpoint {
  readonly id: string;
  readonly tag: string | null;
  readonly time: Date;
}

/** A Move or Failover in progress on a VPG. */
export interface Operation {
  readonly kind: 'move' | 'failover';
  readonly taskId: string;
  /** Reverse protection requested by the operation's body (used by an automatic commit). */
  readonly reverseProtection: boolean;
  /** Protected VMs this operation powered off; a rollback powers them on again. */
  poweredOff: string[];
  /** VMs it powered on at the recovery site; a rollback powers them off. */
  poweredOn: string[];
  /** VMs it created at the recovery site (protected-name model); a rollback removes them. */
  created: string[];
  phase: 'syncing' | 'beforeCommit' | 'committing' | 'rollingBack';
}

export interface SimVpg {
  readonly id: string;
  name: string;
  protectedSiteId: string;
  recoverySiteId: string;
  /** VM identifiers on the protected site. */
  vmIds: string[];
  rpoSeconds: number;
  journalHours: number;
  placement: RecoveryPlacement;
  status: number;
  subStatus: number;
  actualRpoSeconds: number;
  checkpoints: Checkpoint[];
  operation?: Operation;
  /** A Failover Test running on the VPG (replication goes on meanwhile). */
  test?: FailoverTest;
  /** When the last Failover Test ended. */
  lastTest?: Date;
}

/** A Failover Test: test VMs up in the recovery site's test network until FailoverTestStop. */
export interface FailoverTest {
  readonly taskId: string;
  /** `RunningFailOverTestApi.Stage` (the document gives no values: ours are Starting, Testing, Stopping). */
  stage: 'Starting' | 'Testing' | 'Stopping';
  /** Test VMs powered on at the recovery site; the stop powers them off. */
  poweredOn: string[];
  /** Test VMs created at the recovery site (protected-name model); the stop removes them. */
  created: string[];
}

/** A small, varying RPO as a healthy replication shows. */
export const healthyRpoSeconds = (): number => 4 + Math.floor(Math.random() * 6);

const REPLICATING = new Set(['MeetingSLA', 'NotMeetingSLA', 'HistoryNotMeetingSLA', 'RpoNotMeetingSLA']);

/** Whether the VPG replicates (meeting its SLA or not): only then can it be recovered, and checkpoints accrue. */
export const isReplicating = (vpg: SimVpg): boolean => REPLICATING.has(VPG_STATUSES[vpg.status]);

/** The VPG replicating again and meeting its SLA (after a rollback, reverse protection or a creation). */
export function markReplicating(vpg: SimVpg): void {
  Object.assign(vpg, { status: status('MeetingSLA'), subStatus: subStatus('None'), actualRpoSeconds: healthyRpoSeconds() });
}

export function defaultPlacement(site: SimSite): RecoveryPlacement {
  return {
    clusterId: site.cluster.id,
    datastoreId: site.datastore.id,
    networkId: site.network.id,
    testNetworkId: site.testNetwork.id,
    folderId: site.folder.id,
    journalDatastoreId: site.datastore.id,
    resourcePoolId: site.resourcePool?.id,
  };
}

/**
 * The VPGs of the topology after the disaster: the active site's VPG protects it toward the other site and
 * meets its SLA; the other one (whose source VMs are off since the failover) is `Recovered`, as Zerto leaves a
 * VPG that was failed over and committed without reverse protection.
 */
export function initialVpgs(topology: Topology, inventory: Inventory, activeSite: string): SimVpg[] {
  return topology.vpgs.map((spec) => {
    const source = inventory.siteNamed(spec.source);
    const target = inventory.siteNamed(spec.target);
    if (!source || !target) throw new Error(`VPG ${spec.name}: sites ${spec.source}/${spec.target} not in the topology`);
    const replicating = spec.source === activeSite;
    return {
      id: randomUUID(),
      name: spec.name,
      protectedSiteId: source.id,
      recoverySiteId: target.id,
      vmIds: spec.vms.map((name) => source.vms.find((v) => v.name === name)?.id ?? name),
      rpoSeconds: spec.rpoTargetSeconds,
      journalHours: spec.journalHours,
      placement: defaultPlacement(target),
      status: status(replicating ? 'MeetingSLA' : 'Recovered'),
      subStatus: subStatus('None'),
      actualRpoSeconds: replicating ? healthyRpoSeconds() : 0,
      checkpoints: [],
    };
  });
}

/** A `ResourceLink` as the 10.x document has it (objects are identified through their link). */
export const link = (type: string, href: string, identifier: string) => ({ href, identifier, rel: null, type });
const siteLink = (siteId: string) => link('SiteApi', `/v1/peersites/${siteId}`, siteId);

/** The VPG as `GET /v1/vpgs` shows it in the 10.0 U6 document (PascalCase on the wire, as live ZVMs answer). */
export function renderVpg(vpg: SimVpg, inventory: Inventory): Record<string, unknown> {
  return {
    VpgName: vpg.name,
    Status: vpg.status,
    SubStatus: vpg.subStatus,
    StatusDescription: VPG_STATUSES[vpg.status],
    SubStatusDescription: VPG_SUBSTATUSES[vpg.subStatus],
    ActualRPO: vpg.actualRpoSeconds,
    ConfiguredRpoSeconds: vpg.rpoSeconds,
    VmsCount: vpg.vmIds.length,
    ProtectedSiteName: inventory.site(vpg.protectedSiteId)?.name,
    RecoverySiteName: inventory.site(vpg.recoverySiteId)?.name,
    ProtectedSite: siteLink(vpg.protectedSiteId),
    RecoverySite: siteLink(vpg.recoverySiteId),
    HistoryStatusApi: { ActualHistoryInMinutes: vpg.journalHours * 60, ConfiguredHistoryInMinutes: vpg.journalHours * 60 },
    ActiveProcessesApi: { RunningFailOverTestApi: vpg.test ? { Stage: vpg.test.stage } : null },
    LastTest: vpg.lastTest?.toISOString() ?? null,
    Link: link('VpgApi', `/v1/vpgs/${vpg.id}`, vpg.id),
  };
}

/** A protected VM as `GET /v1/vms` shows it: identified by its link, which also names its VPG. */
export function renderVm(vpg: SimVpg, vmId: string, inventory: Inventory): Record<string, unknown> {
  return {
    VmName: inventory.vm(vmId)?.vm.name ?? vmId,
    VpgName: vpg.name,
    Status: vpg.status,
    SubStatus: vpg.subStatus,
    ActualRPO: vpg.actualRpoSeconds,
    ProtectedSiteName: inventory.site(vpg.protectedSiteId)?.name,
    RecoverySiteName: inventory.site(vpg.recoverySiteId)?.name,
    ProtectedSite: siteLink(vpg.protectedSiteId),
    RecoverySite: siteLink(vpg.recoverySiteId),
    Link: { ...link('VmApi', `/v1/vms/${vmId}`, vmId), vpg_identifier: vpg.id },
  };
}

export function renderCheckpoint(c: Checkpoint): Record<string, unknown> {
  return { CheckpointIdentifier: c.id, Tag: c.tag, TimeStamp: c.time.toISOString() };
}

let checkpointCount = 0;
export const nextCheckpointId = (): string => `cp-${Date.now()}-${++checkpointCount}`;

/** Zerto writes a checkpoint every few seconds while replicating: add one if the newest is older than that. */
export function refreshCheckpoints(vpg: SimVpg, now: Date): void {
  const newest = vpg.checkpoints[vpg.checkpoints.length - 1];
  if (isReplicating(vpg) && (!newest || now.getTime() - newest.time.getTime() > 5000)) {
    vpg.checkpoints.push({ id: nextCheckpointId(), tag: null, time: new Date(now.getTime() - vpg.actualRpoSeconds * 1000) });
    if (vpg.checkpoints.length > 500) vpg.checkpoints.splice(0, vpg.checkpoints.length - 500);
  }
}
