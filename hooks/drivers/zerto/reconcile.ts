import type { VpgSpec } from '../../../topology/vpg-spec';
import { NotFoundError, PermanentError } from '../common/errors';
import { SiteCatalog, type SiteObjects } from './catalog';
import type { ZertoDriver } from './driver';
import { field, list, objectAt, setField, str, num } from './fields';
import { nicChanges, writeNics } from './nics';
import type { FailoverIp } from '../../../topology/vpg-nics';

/** One difference between the declared and the live VPG, in names (never identifiers). */
export interface FieldChange {
  readonly field: string;
  readonly from: string;
  readonly to: string;
}

export type VpgPlan =
  | { readonly action: 'create' | 'edit'; readonly name: string; readonly changes: readonly FieldChange[] }
  | { readonly action: 'unchanged'; readonly name: string }
  /** Left alone on purpose: the reason says why (reversed by a failover, operation in progress). */
  | { readonly action: 'skip'; readonly name: string; readonly reason: string };

/** The declared settings, resolved to the ZVM's identifiers. */
interface Desired {
  readonly source: SiteObjects;
  readonly target: SiteObjects;
  readonly vmIds: readonly string[];
  readonly clusterId: string;
  readonly datastoreId: string;
  readonly networkId: string;
  readonly testNetworkId?: string;
  readonly folderId?: string;
  readonly resourcePoolId?: string;
}

const sortedNames = (ids: readonly string[], site: SiteObjects | undefined) => ids.map((id) => site?.vms.name(id) ?? id).sort().join(', ');

/**
 * Reconciles `VpgSpec`s (the protection stack's manifest) with a ZVM through `/v1/vpgSettings`:
 * `plan` reads and compares (it opens a settings copy and discards it: nothing changes), `apply` creates
 * or edits and commits. A VPG whose direction a failover with reverse protection flipped is never
 * "corrected" back: that would undo the reverse replication.
 */
export class VpgReconciler {
  private readonly catalog: SiteCatalog;

  constructor(
    private readonly driver: ZertoDriver,
    private readonly options: {
      /** Topology site name -> the site's name in Zerto, where they differ (`zertoSiteName`). */
      readonly siteNames?: Readonly<Record<string, string>>;
      readonly commitTimeoutMs?: number;
    } = {},
  ) {
    this.catalog = new SiteCatalog(driver.client);
  }

  /** `reIp`: the failover address of each VM that must be re-IPed (`failoverIps` of the topology; H13). */
  async plan(spec: VpgSpec, reIp: readonly FailoverIp[] = []): Promise<VpgPlan> {
    const [{ source, target }, live] = await Promise.all([this.sites(spec), this.driver.findVpg(spec.name)]);
    // Before the VMs are looked up: after a Move, the declared protected VMs are gone (Zerto removed them).
    if (live && live.protectedSiteId === target.id && live.recoverySiteId === source.id) {
      return { action: 'skip', name: spec.name, reason: `reversed (${target.name} -> ${source.name} live, declared ${source.name} -> ${target.name}): a failover with reverse protection flipped it` };
    }
    const desired = await this.resolve(spec);
    const vmIds = new Map(spec.vms.map((vm, i) => [vm, desired.vmIds[i]]));
    if (!live) {
      // Zerto's wrapper makes both mandatory for a new VPG (New-ZertoVpg.ps1): a test must never use production's network.
      const missing = [spec.recoverySite.testNetwork === undefined && 'testNetwork', spec.recoverySite.folder === undefined && 'folder'].filter(Boolean);
      if (missing.length) throw new PermanentError(this.driver.client.system, `VPG ${spec.name}: declare ${missing.map((f) => `sites[${spec.targetSite}].${f}`).join(' and ')} in the topology to create it (the failover-test network and the recovery VM folder)`);
      return { action: 'create', name: spec.name, changes: [...this.diff(spec, desired, undefined, undefined), ...(await nicChanges(this.driver.client, undefined, vmIds, reIp))] };
    }
    if (live.statusName === 'Moving' || live.statusName === 'FailingOver') {
      return { action: 'skip', name: spec.name, reason: `${live.statusName}/${live.subStatusName}: settings cannot change during a recovery` };
    }
    const changes = await this.withSettings(live.id, async (doc, settingsId) => [
      ...this.diff(spec, desired, doc, await this.catalog.siteById(str(field(doc, 'Basic'), 'ProtectedSiteIdentifier') ?? '')),
      ...(await nicChanges(this.driver.client, settingsId, vmIds, reIp)),
    ]);
    return changes.length ? { action: 'edit', name: spec.name, changes } : { action: 'unchanged', name: spec.name };
  }

  /** Creates or edits the VPG as `plan` found it must; `unchanged` and `skip` do nothing. */
  async apply(spec: VpgSpec, plan: VpgPlan, reIp: readonly FailoverIp[] = []): Promise<void> {
    if (plan.action !== 'create' && plan.action !== 'edit') return;
    const desired = await this.resolve(spec);
    const vpgId = plan.action === 'edit' ? (await this.driver.getVpg(spec.name)).id : undefined;
    const client = this.driver.client;
    const settingsId = await this.openSettings(vpgId);
    try {
      const doc = (await client.get(`/v1/vpgSettings/${settingsId}`)) as Record<string, unknown>;
      write(doc, spec, desired);
      await client.put(`/v1/vpgSettings/${settingsId}`, doc);
      await writeNics(client, settingsId, new Map(spec.vms.map((vm, i) => [vm, desired.vmIds[i]])), reIp);
      const answer = await client.post(`/v1/vpgSettings/${settingsId}/commit`);
      await this.awaitCommit(spec.name, typeof answer === 'string' ? answer : undefined);
    } catch (e) {
      await client.delete(`/v1/vpgSettings/${settingsId}`).catch(() => undefined);
      throw e;
    }
    client.log(`${client.system}: VPG ${spec.name} ${plan.action === 'create' ? 'created' : 'edited'} (${plan.changes.map((c) => c.field).join(', ')})`);
  }

  /** The declared source and target sites as the ZVM knows them. */
  private async sites(spec: VpgSpec): Promise<Pick<Desired, 'source' | 'target'>> {
    const zertoName = (site: string) => this.options.siteNames?.[site] ?? site;
    const [source, target] = await Promise.all([this.catalog.site(zertoName(spec.sourceSite)), this.catalog.site(zertoName(spec.targetSite))]);
    return { source, target };
  }

  private async resolve(spec: VpgSpec): Promise<Desired> {
    const { source, target } = await this.sites(spec);
    const missing: string[] = [];
    const need = (id: string | undefined, what: string) => {
      if (id === undefined) missing.push(what);
      return id ?? '';
    };
    const vmIds = spec.vms.map((vm) => need(source.vms.id(vm), `VM ${vm} on ${source.name}`));
    const r = spec.recoverySite;
    const desired: Desired = {
      source,
      target,
      vmIds,
      clusterId: need(target.clusters.id(r.cluster), `cluster ${r.cluster} on ${target.name}`),
      datastoreId: need(target.datastores.id(r.datastore), `datastore ${r.datastore} on ${target.name}`),
      networkId: need(target.networks.id(r.network), `network ${r.network} on ${target.name}`),
      resourcePoolId: r.resourcePool === undefined ? undefined : need(target.resourcePools.id(r.resourcePool), `resource pool ${r.resourcePool} on ${target.name}`),
      testNetworkId: r.testNetwork === undefined ? undefined : need(target.networks.id(r.testNetwork), `test network ${r.testNetwork} on ${target.name}`),
      folderId: r.folder === undefined ? undefined : need(target.folders.id(r.folder), `folder ${r.folder} on ${target.name}`),
    };
    if (missing.length) throw new PermanentError(this.driver.client.system, `VPG ${spec.name}: the ZVM does not see ${missing.join('; ')}: fix the topology or the vCenter inventory`);
    return desired;
  }

  /** Differences between `doc` (a live VPG's settings, or none for a new VPG) and the declaration. */
  private diff(spec: VpgSpec, d: Desired, doc: unknown, liveSource: SiteObjects | undefined): FieldChange[] {
    const basic = field(doc, 'Basic');
    const recovery = field(doc, 'Recovery');
    const network = (kind: string) => field(field(field(doc, 'Networks'), kind), 'Hypervisor');
    const liveTarget = str(basic, 'RecoverySiteIdentifier');
    const liveVmIds = list(field(doc, 'Vms')).map((v) => str(v, 'VmIdentifier') ?? '');
    const named = (id: string | undefined, index: (s: SiteObjects) => { name(id: string): string }) => (id === undefined ? '-' : index(d.target).name(id));
    const candidates: FieldChange[] = [
      { field: 'protected site', from: liveSource?.name ?? str(basic, 'ProtectedSiteIdentifier') ?? '-', to: d.source.name },
      { field: 'recovery site', from: liveTarget === undefined ? '-' : liveTarget === d.target.id ? d.target.name : liveTarget, to: d.target.name },
      { field: 'VMs', from: doc === undefined ? '-' : sortedNames(liveVmIds, liveSource), to: sortedNames(d.vmIds, d.source) },
      { field: 'RPO', from: num(basic, 'RpoInSeconds') === undefined ? '-' : `${num(basic, 'RpoInSeconds')} s`, to: `${spec.rpoTargetSeconds} s` },
      { field: 'journal', from: num(basic, 'JournalHistoryInHours') === undefined ? '-' : `${num(basic, 'JournalHistoryInHours')} h`, to: `${spec.journalHours} h` },
      { field: 'cluster', from: named(str(recovery, 'DefaultHostClusterIdentifier'), (s) => s.clusters), to: spec.recoverySite.cluster },
      { field: 'datastore', from: named(str(recovery, 'DefaultDatastoreIdentifier'), (s) => s.datastores), to: spec.recoverySite.datastore },
      { field: 'network', from: named(str(network('Failover'), 'DefaultNetworkIdentifier'), (s) => s.networks), to: spec.recoverySite.network },
    ];
    if (spec.recoverySite.testNetwork !== undefined) {
      candidates.push({ field: 'test network', from: named(str(network('FailoverTest'), 'DefaultNetworkIdentifier'), (s) => s.networks), to: spec.recoverySite.testNetwork });
    }
    if (spec.recoverySite.folder !== undefined) {
      candidates.push({ field: 'folder', from: named(str(recovery, 'DefaultFolderIdentifier'), (s) => s.folders), to: spec.recoverySite.folder });
    }
    if (spec.recoverySite.resourcePool !== undefined) {
      candidates.push({ field: 'resource pool', from: named(str(recovery, 'ResourcePoolIdentifier'), (s) => s.resourcePools), to: spec.recoverySite.resourcePool });
    }
    return candidates.filter((c) => c.from !== c.to);
  }

  private async openSettings(vpgId: string | undefined): Promise<string> {
    const id = await this.driver.client.post(`/v1/vpgSettings`, vpgId === undefined ? {} : { VpgIdentifier: vpgId });
    if (typeof id !== 'string' || !id) throw new PermanentError(this.driver.client.system, 'POST /v1/vpgSettings answered without a settings identifier');
    return id;
  }

  /** Reads a VPG's settings through a settings copy that is always discarded. */
  private async withSettings<T>(vpgId: string, read: (doc: unknown, settingsId: string) => Promise<T>): Promise<T> {
    const client = this.driver.client;
    const settingsId = await this.openSettings(vpgId);
    try {
      return await read(await client.get(`/v1/vpgSettings/${settingsId}`), settingsId);
    } finally {
      await client.delete(`/v1/vpgSettings/${settingsId}`);
    }
  }

  /** Commit answers a task id on the versions we know; when it is not a task, the VPG itself shows the result. */
  private async awaitCommit(name: string, answer: string | undefined): Promise<void> {
    const options = { timeoutMs: this.options.commitTimeoutMs ?? 120_000, intervalMs: 250 };
    if (answer !== undefined) {
      try {
        await this.driver.waitForTask(answer, options);
        return;
      } catch (e) {
        if (!(e instanceof NotFoundError)) throw e;
      }
    }
    await this.driver.waitForVpg(name, 'present', () => true, options);
  }
}

/** Writes the declaration into a settings document, keeping the ZVM's field spelling and other settings. */
function write(doc: Record<string, unknown>, spec: VpgSpec, d: Desired): void {
  const basic = objectAt(doc, ['Basic']);
  setField(basic, 'Name', spec.name);
  setField(basic, 'RpoInSeconds', spec.rpoTargetSeconds);
  setField(basic, 'JournalHistoryInHours', spec.journalHours);
  setField(basic, 'ProtectedSiteIdentifier', d.source.id);
  setField(basic, 'RecoverySiteIdentifier', d.target.id);
  const recovery = objectAt(doc, ['Recovery']);
  setField(recovery, 'DefaultHostClusterIdentifier', d.clusterId);
  setField(recovery, 'DefaultDatastoreIdentifier', d.datastoreId);
  if (d.resourcePoolId !== undefined) setField(recovery, 'ResourcePoolIdentifier', d.resourcePoolId);
  if (d.folderId !== undefined) setField(recovery, 'DefaultFolderIdentifier', d.folderId);
  setField(objectAt(doc, ['Journal']), 'DatastoreIdentifier', d.datastoreId);
  setField(objectAt(doc, ['Networks', 'Failover', 'Hypervisor']), 'DefaultNetworkIdentifier', d.networkId);
  if (d.testNetworkId !== undefined) setField(objectAt(doc, ['Networks', 'FailoverTest', 'Hypervisor']), 'DefaultNetworkIdentifier', d.testNetworkId);
  const current = list(field(doc, 'Vms'));
  setField(doc, 'Vms', d.vmIds.map((id) => current.find((v) => str(v, 'VmIdentifier') === id) ?? { VmIdentifier: id }));
}
