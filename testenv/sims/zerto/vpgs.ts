import { randomUUID } from 'node:crypto';
import type { Topology } from '../../../topology';
import { status, subStatus, VPG_STATUSES } from './catalog';
import type { Inventory, SimSite } from './inventory';

/** Where a VPG's recovered VMs land, as Zerto identifiers of the recovery site's inventory. */
export interface RecoveryPlacement {
  clusterId: string;
  datastoreId: string;
  networkId: string;
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
}

/** A small, varying RPO as a healthy replication shows. */
export const healthyRpoSeconds = (): number => 4 + Math.floor(Math.random() * 6);

/** Whether the VPG replicates (MeetingSLA up to HistoryNotMeetingSLA): only then can it be recovered, and checkpoints accrue. */
export const isReplicating = (vpg: SimVpg): boolean => vpg.status >= status('MeetingSLA') && vpg.status <= status('HistoryNotMeetingSLA');

/** The VPG replicating again and meeting its SLA (after a rollback, reverse protection or a creation). */
export function markReplicating(vpg: SimVpg): void {
  Object.assign(vpg, { status: status('MeetingSLA'), subStatus: subStatus('None'), actualRpoSeconds: healthyRpoSeconds() });
}

export function defaultPlacement(site: SimSite): RecoveryPlacement {
  return { clusterId: site.cluster.id, datastoreId: site.datastore.id, networkId: site.network.id, resourcePoolId: site.resourcePool?.id };
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

const link = (inventory: Inventory, siteId: string) => ({ href: `/v1/localsite#${siteId}`, identifier: siteId, rel: null, type: 'SiteApi', name: inventory.site(siteId)?.name });

/** The VPG as `GET /v1/vpgs` shows it (PascalCase, link objects in lowercase as the live API has them). */
export function renderVpg(vpg: SimVpg, inventory: Inventory): Record<string, unknown> {
  return {
    VpgIdentifier: vpg.id,
    VpgName: vpg.name,
    Status: vpg.status,
    SubStatus: vpg.subStatus,
    StatusDescription: VPG_STATUSES[vpg.status],
    ActualRPO: vpg.actualRpoSeconds,
    ConfiguredRpoSeconds: vpg.rpoSeconds,
    VmsCount: vpg.vmIds.length,
    Priority: 1,
    SourceSite: inventory.site(vpg.protectedSiteId)?.name,
    TargetSite: inventory.site(vpg.recoverySiteId)?.name,
    ProtectedSite: link(inventory, vpg.protectedSiteId),
    RecoverySite: link(inventory, vpg.recoverySiteId),
    HistoryStatusApi: { ActualHistoryInMinutes: vpg.journalHours * 60, ConfiguredHistoryInMinutes: vpg.journalHours * 60 },
    Link: { href: `/v1/vpgs/${vpg.id}`, identifier: vpg.id, rel: 'self', type: 'VpgApi' },
  };
}

export function renderVm(vpg: SimVpg, vmId: string, inventory: Inventory): Record<string, unknown> {
  return {
    VmIdentifier: vmId,
    VmName: inventory.vm(vmId)?.vm.name ?? vmId,
    VpgIdentifier: vpg.id,
    VpgName: vpg.name,
    Status: vpg.status,
    SubStatus: vpg.subStatus,
    ActualRPO: vpg.actualRpoSeconds,
    SourceSite: inventory.site(vpg.protectedSiteId)?.name,
    TargetSite: inventory.site(vpg.recoverySiteId)?.name,
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
