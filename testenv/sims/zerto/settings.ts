import { randomUUID } from 'node:crypto';
import { status, subStatus, TaskState } from './catalog';
import { field, num, str } from '../../../hooks/drivers/zerto/fields';
import type { Inventory } from './inventory';
import { ApiError, type Delays } from './operations';
import type { Tasks } from './tasks';
import { defaultPlacement, markReplicating, type SimVpg } from './vpgs';
import { VmNicStore } from './nics';

/** A VPG's editable settings, as `/v1/vpgSettings/{id}` holds them between create and commit. */
interface Settings {
  vpgId: string | null;
  name: string;
  rpoSeconds: number;
  journalHours: number;
  protectedSiteId: string;
  recoverySiteId: string;
  clusterId: string;
  datastoreId: string;
  networkId: string;
  testNetworkId: string | null;
  folderId: string | null;
  journalDatastoreId: string | null;
  resourcePoolId: string | null;
  vmIds: string[];
}

function render(id: string, s: Settings): Record<string, unknown> {
  return {
    VpgSettingsIdentifier: id,
    VpgIdentifier: s.vpgId,
    Basic: { Name: s.name, RpoInSeconds: s.rpoSeconds, JournalHistoryInHours: s.journalHours, ProtectedSiteIdentifier: s.protectedSiteId, RecoverySiteIdentifier: s.recoverySiteId, Priority: 'Medium' },
    Recovery: { DefaultHostClusterIdentifier: s.clusterId, DefaultDatastoreIdentifier: s.datastoreId, ResourcePoolIdentifier: s.resourcePoolId, DefaultFolderIdentifier: s.folderId },
    Journal: { DatastoreIdentifier: s.journalDatastoreId },
    Networks: { Failover: { Hypervisor: { DefaultNetworkIdentifier: s.networkId } }, FailoverTest: { Hypervisor: { DefaultNetworkIdentifier: s.testNetworkId } } },
    Vms: s.vmIds.map((VmIdentifier) => ({ VmIdentifier })),
  };
}

/** Reads a PUT body (any field-name case); missing parts keep the current value, as the ZVM merges them. */
function parse(body: unknown, current: Settings): Settings {
  const basic = field(body, 'Basic');
  const recovery = field(body, 'Recovery');
  const network = (kind: string) => field(field(field(body, 'Networks'), kind), 'Hypervisor');
  const vms = field(body, 'Vms');
  return {
    vpgId: current.vpgId,
    name: str(basic, 'Name') ?? current.name,
    rpoSeconds: num(basic, 'RpoInSeconds') ?? current.rpoSeconds,
    journalHours: num(basic, 'JournalHistoryInHours') ?? current.journalHours,
    protectedSiteId: str(basic, 'ProtectedSiteIdentifier') ?? current.protectedSiteId,
    recoverySiteId: str(basic, 'RecoverySiteIdentifier') ?? current.recoverySiteId,
    clusterId: str(recovery, 'DefaultHostClusterIdentifier') ?? current.clusterId,
    datastoreId: str(recovery, 'DefaultDatastoreIdentifier') ?? current.datastoreId,
    resourcePoolId: str(recovery, 'ResourcePoolIdentifier') ?? current.resourcePoolId,
    networkId: str(network('Failover'), 'DefaultNetworkIdentifier') ?? current.networkId,
    testNetworkId: str(network('FailoverTest'), 'DefaultNetworkIdentifier') ?? current.testNetworkId,
    folderId: str(recovery, 'DefaultFolderIdentifier') ?? current.folderId,
    journalDatastoreId: str(field(body, 'Journal'), 'DatastoreIdentifier') ?? current.journalDatastoreId,
    vmIds: Array.isArray(vms) ? vms.map((v) => str(v, 'VmIdentifier') ?? '') : current.vmIds,
  };
}

const empty: Settings = {
  vpgId: null,
  name: '',
  rpoSeconds: 300,
  journalHours: 24,
  protectedSiteId: '',
  recoverySiteId: '',
  clusterId: '',
  datastoreId: '',
  networkId: '',
  testNetworkId: null,
  folderId: null,
  journalDatastoreId: null,
  resourcePoolId: null,
  vmIds: [],
};

/** `/v1/vpgSettings`: create a settings object (empty, or a copy of a VPG's), edit it, commit or discard it. */
export class VpgSettingsStore {
  private readonly drafts = new Map<string, Settings>();
  /** The per-VM NIC settings of the copies and VPGs (nics.ts). */
  readonly nics = new VmNicStore();

  constructor(
    private readonly inventory: Inventory,
    private readonly vpgs: SimVpg[],
    private readonly tasks: Tasks,
    private readonly delays: Delays,
  ) {}

  create(body: unknown): string {
    const vpgId = str(body, 'VpgIdentifier');
    let draft = { ...empty };
    if (vpgId !== undefined) {
      const vpg = this.vpgs.find((v) => v.id === vpgId);
      if (!vpg) throw new ApiError(404, `VPG ${vpgId} not found`);
      draft = {
        vpgId: vpg.id,
        name: vpg.name,
        rpoSeconds: vpg.rpoSeconds,
        journalHours: vpg.journalHours,
        protectedSiteId: vpg.protectedSiteId,
        recoverySiteId: vpg.recoverySiteId,
        clusterId: vpg.placement.clusterId,
        datastoreId: vpg.placement.datastoreId,
        networkId: vpg.placement.networkId,
        testNetworkId: vpg.placement.testNetworkId ?? null,
        folderId: vpg.placement.folderId ?? null,
        journalDatastoreId: vpg.placement.journalDatastoreId ?? null,
        resourcePoolId: vpg.placement.resourcePoolId ?? null,
        vmIds: [...vpg.vmIds],
      };
    }
    const id = randomUUID();
    this.drafts.set(id, draft);
    this.nics.open(id, draft.vpgId);
    return id;
  }

  get(id: string): Record<string, unknown> {
    return render(id, this.draft(id));
  }

  put(id: string, body: unknown): void {
    this.drafts.set(id, parse(body, this.draft(id)));
  }

  discard(id: string): void {
    this.draft(id);
    this.drafts.delete(id);
    this.nics.discard(id);
  }

  /** The VMs a settings copy protects now. */
  vmIdsOf(id: string): readonly string[] {
    return this.draft(id).vmIds;
  }

  /** Validates and applies the draft: a new VPG (initial sync first) or an edit of its VPG. Returns a task id. */
  commit(id: string): string {
    const s = this.draft(id);
    this.validate(s);
    const existing = s.vpgId === null ? undefined : this.vpgs.find((v) => v.id === s.vpgId);
    if (s.vpgId !== null && !existing) throw new ApiError(400, `VPG ${s.vpgId} was deleted`);
    if (existing?.operation) throw new ApiError(400, `VPG ${existing.name} has a ${existing.operation.kind} in progress: settings cannot change now`);
    const vpg: SimVpg = existing ?? {
      id: randomUUID(),
      name: s.name,
      protectedSiteId: s.protectedSiteId,
      recoverySiteId: s.recoverySiteId,
      vmIds: [],
      rpoSeconds: s.rpoSeconds,
      journalHours: s.journalHours,
      placement: defaultPlacement(this.inventory.site(s.recoverySiteId)!),
      status: status('Initializing'),
      subStatus: subStatus('InitialSync'),
      actualRpoSeconds: 0,
      checkpoints: [],
    };
    Object.assign(vpg, {
      name: s.name,
      protectedSiteId: s.protectedSiteId,
      recoverySiteId: s.recoverySiteId,
      vmIds: [...s.vmIds],
      rpoSeconds: s.rpoSeconds,
      journalHours: s.journalHours,
      placement: {
        clusterId: s.clusterId,
        datastoreId: s.datastoreId,
        networkId: s.networkId,
        testNetworkId: s.testNetworkId ?? undefined,
        folderId: s.folderId ?? undefined,
        journalDatastoreId: s.journalDatastoreId ?? undefined,
        resourcePoolId: s.resourcePoolId ?? undefined,
      },
    });
    const task = this.tasks.start(existing ? 'UpdateProtectionGroup' : 'CreateProtectionGroup', vpg.id);
    if (!existing) {
      this.vpgs.push(vpg);
      setTimeout(() => markReplicating(vpg), this.delays.reverseProtectionMs).unref();
    }
    this.tasks.finish(task.id, TaskState.Completed, existing ? 'VPG updated' : 'VPG created');
    this.drafts.delete(id);
    this.nics.commit(id, vpg.id);
    return task.id;
  }

  clear(): void {
    this.drafts.clear();
    this.nics.clear();
  }

  private draft(id: string): Settings {
    const s = this.drafts.get(id);
    if (!s) throw new ApiError(404, `VPG settings ${id} not found`);
    return s;
  }

  private validate(s: Settings): void {
    const problems: string[] = [];
    if (!s.name) problems.push('Basic.Name is empty');
    if (this.vpgs.some((v) => v.name === s.name && v.id !== s.vpgId)) problems.push(`a VPG named ${s.name} already exists`);
    const source = this.inventory.site(s.protectedSiteId);
    const target = this.inventory.site(s.recoverySiteId);
    if (!source) problems.push(`protected site ${s.protectedSiteId} is unknown`);
    if (!target) problems.push(`recovery site ${s.recoverySiteId} is unknown`);
    if (source && source === target) problems.push('protected and recovery sites are the same');
    if (s.rpoSeconds < 10) problems.push('RpoInSeconds is below 10');
    if (s.journalHours < 1) problems.push('JournalHistoryInHours is below 1');
    if (!s.vmIds.length) problems.push('no VM is protected');
    for (const vmId of s.vmIds) {
      if (!source?.vms.some((v) => v.id === vmId)) problems.push(`VM ${vmId} is not on the protected site`);
      const other = this.vpgs.find((v) => v.id !== s.vpgId && v.vmIds.includes(vmId));
      if (other) problems.push(`VM ${vmId} is already protected by ${other.name}`);
    }
    if (target) {
      if (target.cluster.id !== s.clusterId) problems.push(`host cluster ${s.clusterId} is not on the recovery site`);
      if (target.datastore.id !== s.datastoreId) problems.push(`datastore ${s.datastoreId} is not on the recovery site`);
      if (target.network.id !== s.networkId) problems.push(`network ${s.networkId} is not on the recovery site`);
      if (s.resourcePoolId !== null && target.resourcePool?.id !== s.resourcePoolId) problems.push(`resource pool ${s.resourcePoolId} is not on the recovery site`);
      // Zerto's PowerShell wrapper makes these mandatory for a new VPG (New-ZertoVpg.ps1).
      if (s.testNetworkId !== target.testNetwork.id && s.testNetworkId !== target.network.id) problems.push(`failover test network ${s.testNetworkId ?? '(none)'} is not on the recovery site`);
      if (s.folderId !== target.folder.id) problems.push(`recovery folder ${s.folderId ?? '(none)'} is not on the recovery site`);
      if (s.journalDatastoreId !== null && s.journalDatastoreId !== target.datastore.id) problems.push(`journal datastore ${s.journalDatastoreId} is not on the recovery site`);
    }
    if (problems.length) throw new ApiError(400, `VPG settings are invalid: ${problems.join('; ')}`);
  }
}
