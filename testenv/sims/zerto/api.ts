import { TaskState, VPG_STATUSES, VPG_SUBSTATUSES } from './catalog';
import { bool, field, num, str } from '../../../hooks/drivers/zerto/fields';
import { COMMIT_POLICY } from '../../../hooks/drivers/zerto/model';
import type { SimSite } from './inventory';
import { ApiError, type RecoveryRequest } from './operations';
import { renderTask } from './tasks';
import { link, renderCheckpoint, renderVm, renderVpg, nextCheckpointId, refreshCheckpoints, type SimVpg } from './vpgs';
import type { World } from './world';

/** One API call as the router hands it to a route: the answering site, path match, query and JSON body. */
export interface Call {
  readonly site: SimSite;
  readonly match: RegExpExecArray;
  readonly query: URLSearchParams;
  readonly body: unknown;
}
export type Route = readonly [method: string, path: RegExp, handler: (world: World, call: Call) => unknown];

function vpgOf(world: World, id: string): SimVpg {
  const vpg = world.vpgs.find((v) => v.id === id);
  if (!vpg) throw new ApiError(404, `VPG ${id} not found`);
  return vpg;
}

/** The body's CommitPolicy when it is one of COMMIT_POLICY, else Commit. */
const commitPolicyOf = (body: unknown): number => {
  const n = num(body, 'CommitPolicy');
  return n !== undefined && Object.values(COMMIT_POLICY).includes(n) ? n : COMMIT_POLICY.commit;
};

/**
 * A Before Commit wait in seconds: absent means the site's default (3600 s, the value Zerto's PowerShell
 * wrapper defaults to); the wrapper accepts 300-86400 only (ZertoPublic/ZertoApiWrapper Invoke-ZertoMove.ps1,
 * Invoke-ZertoFailover.ps1), and so does this ZVM.
 */
function beforeCommitSeconds(body: unknown, name: string): number {
  const value = field(body, name);
  if (value === undefined || value === null) return 3600;
  if (typeof value !== 'number' || value < 300 || value > 86400) throw new ApiError(400, `${name} must be between 300 and 86400 seconds (got ${JSON.stringify(value)})`);
  return value;
}

function moveRequest(body: unknown): RecoveryRequest {
  return {
    kind: 'move',
    commitPolicy: commitPolicyOf(body),
    commitPolicyTimeoutSec: beforeCommitSeconds(body, 'CommitPolicyTimeout'),
    reverseProtection: bool(body, 'ReverseProtection') ?? false,
    keepSourceVms: bool(body, 'KeepSourceVms') ?? false,
    shutdownSource: true,
  };
}

const stringsOf = (value: unknown): string[] | undefined => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined);

function failoverRequest(body: unknown): RecoveryRequest {
  return {
    kind: 'failover',
    commitPolicy: commitPolicyOf(body),
    // The Failover's wait in Before Commit before its commit policy acts (not a shutdown delay, whatever its name).
    commitPolicyTimeoutSec: beforeCommitSeconds(body, 'TimeToWaitBeforeShutdownInSec'),
    reverseProtection: bool(body, 'IsReverseProtection') ?? false,
    shutdownSource: (num(body, 'ShutdownPolicy') ?? 0) > 0,
    checkpointId: str(body, 'CheckpointIdentifier') ?? undefined,
    vmIds: stringsOf(field(body, 'VmIdentifiers')),
  };
}

function inWindow(time: Date, query: URLSearchParams): boolean {
  const start = query.get('startDate');
  const end = query.get('endDate');
  return (!start || time >= new Date(start)) && (!end || time <= new Date(end));
}

const siteInventory = (world: World, id: string): SimSite => {
  const site = world.inventory.site(id);
  if (!site) throw new ApiError(404, `Site ${id} not found`);
  return site;
};

/** The authenticated `/v1` API (login routes live in the instance: they run before authorization). */
export const routes: readonly Route[] = [
  ['GET', /^\/v1\/localsite$/i, (_, c) => ({ Link: link('LocalSiteApi', '/v1/localsite', c.site.id), SiteName: c.site.name })],
  ['GET', /^\/v1\/peersites$/i, (w, c) => w.inventory.sites.filter((s) => s !== c.site).map((s) => ({ Link: link('PeerSiteApi', `/v1/peersites/${s.id}`, s.id), PeerSiteName: s.name }))],
  // Named after the hypervisor manager (the vCenter host), not the Zerto site, as in the wrapper's mocks.
  ['GET', /^\/v1\/virtualizationsites$/i, (w) => w.inventory.sites.map((s) => ({ SiteIdentifier: s.id, VirtualizationSiteName: s.hypervisorName }))],
  // Only the VMs no VPG protects yet: protected ones are read through /v1/vms.
  ['GET', /^\/v1\/virtualizationsites\/([^/]+)\/vms$/i, (w, c) =>
    siteInventory(w, c.match[1]).vms.filter((v) => !w.vpgs.some((vpg) => vpg.vmIds.includes(v.id))).map((v) => ({ VmIdentifier: v.id, VmName: v.name }))],
  ['GET', /^\/v1\/virtualizationsites\/([^/]+)\/folders$/i, (w, c) => [siteInventory(w, c.match[1]).folder].map((x) => ({ FolderIdentifier: x.id, FolderName: x.name }))],
  ['GET', /^\/v1\/virtualizationsites\/([^/]+)\/hostclusters$/i, (w, c) => [siteInventory(w, c.match[1]).cluster].map((x) => ({ ClusterIdentifier: x.id, VirtualizationClusterName: x.name }))],
  ['GET', /^\/v1\/virtualizationsites\/([^/]+)\/datastores$/i, (w, c) => [siteInventory(w, c.match[1]).datastore].map((x) => ({ DatastoreIdentifier: x.id, DatastoreName: x.name }))],
  ['GET', /^\/v1\/virtualizationsites\/([^/]+)\/networks$/i, (w, c) => {
    const site = siteInventory(w, c.match[1]);
    return [site.network, site.testNetwork].map((x) => ({ NetworkIdentifier: x.id, VirtualizationNetworkName: x.name }));
  }],
  ['GET', /^\/v1\/virtualizationsites\/([^/]+)\/resourcepools$/i, (w, c) => {
    const pool = siteInventory(w, c.match[1]).resourcePool;
    return pool ? [{ ResourcePoolIdentifier: pool.id, ResourcepoolName: pool.name }] : [];
  }],
  ['GET', /^\/v1\/vpgs\/statuses$/i, () => [...VPG_STATUSES]],
  ['GET', /^\/v1\/vpgs\/substatuses$/i, () => [...VPG_SUBSTATUSES]],
  ['GET', /^\/v1\/vpgs$/i, (w, c) => {
    const name = c.query.get('name');
    return w.vpgs.filter((v) => name === null || v.name === name).map((v) => renderVpg(v, w.inventory));
  }],
  ['GET', /^\/v1\/vpgs\/([^/]+)$/i, (w, c) => renderVpg(vpgOf(w, c.match[1]), w.inventory)],
  ['GET', /^\/v1\/vpgs\/([^/]+)\/checkpoints$/i, (w, c) => {
    const vpg = vpgOf(w, c.match[1]);
    refreshCheckpoints(vpg, new Date());
    return vpg.checkpoints.filter((cp) => inWindow(cp.time, c.query)).map(renderCheckpoint);
  }],
  ['POST', /^\/v1\/vpgs\/([^/]+)\/checkpoints$/i, (w, c) => {
    const vpg = vpgOf(w, c.match[1]);
    const tag = str(c.body, 'checkpointName');
    if (!tag) throw new ApiError(400, 'checkpointName is required');
    // Tagging is a task: the checkpoint appears once the VRAs wrote it.
    const task = w.tasks.start('InsertTaggedCP', vpg.id);
    setTimeout(() => {
      vpg.checkpoints.push({ id: nextCheckpointId(), tag, time: new Date() });
      w.tasks.finish(task.id, TaskState.Completed, 'Checkpoint tagged');
    }, 50).unref();
    return task.id;
  }],
  ['GET', /^\/v1\/vpgs\/([^/]+)\/checkpoints\/stats$/i, (w, c) => {
    const vpg = vpgOf(w, c.match[1]);
    refreshCheckpoints(vpg, new Date());
    const all = vpg.checkpoints;
    return { Earliest: all.length ? renderCheckpoint(all[0]) : null, Latest: all.length ? renderCheckpoint(all[all.length - 1]) : null };
  }],
  ['POST', /^\/v1\/vpgs\/([^/]+)\/move$/i, (w, c) => w.recoveries.start(vpgOf(w, c.match[1]), moveRequest(c.body))],
  ['POST', /^\/v1\/vpgs\/([^/]+)\/movecommit$/i, (w, c) => w.recoveries.commit(vpgOf(w, c.match[1]), 'move', bool(c.body, 'ReverseProtection') ?? false, bool(c.body, 'KeepSourceVms') ?? false)],
  ['POST', /^\/v1\/vpgs\/([^/]+)\/moverollback$/i, (w, c) => w.recoveries.rollback(vpgOf(w, c.match[1]), 'move')],
  ['POST', /^\/v1\/vpgs\/([^/]+)\/failover$/i, (w, c) => w.recoveries.start(vpgOf(w, c.match[1]), failoverRequest(c.body))],
  ['POST', /^\/v1\/vpgs\/([^/]+)\/failovercommit$/i, (w, c) => w.recoveries.commit(vpgOf(w, c.match[1]), 'failover', bool(c.body, 'IsReverseProtection') ?? false)],
  ['POST', /^\/v1\/vpgs\/([^/]+)\/failoverrollback$/i, (w, c) => w.recoveries.rollback(vpgOf(w, c.match[1]), 'failover')],
  ['POST', /^\/v1\/vpgs\/([^/]+)\/failovertest$/i, (w, c) => w.recoveries.startTest(vpgOf(w, c.match[1]), str(c.body, 'CheckpointIdentifier') ?? undefined, stringsOf(field(c.body, 'VmIdentifiers')))],
  ['POST', /^\/v1\/vpgs\/([^/]+)\/failoverteststop$/i, (w, c) => w.recoveries.stopTest(vpgOf(w, c.match[1]))],
  ['GET', /^\/v1\/vms$/i, (w, c) => {
    const name = c.query.get('vpgName');
    const id = c.query.get('vpgIdentifier');
    return w.vpgs.filter((v) => (name === null || v.name === name) && (id === null || v.id === id)).flatMap((v) => v.vmIds.map((vm) => renderVm(v, vm, w.inventory)));
  }],
  ['GET', /^\/v1\/alerts$/i, (w, c) => {
    const vpgId = c.query.get('vpgIdentifier');
    return w.alerts.filter((a) => vpgId === null || a.vpgId === vpgId).map((a) => ({
      Link: link('AlertApi', `/v1/alerts/${a.id}`, a.id),
      Level: a.level,
      Description: a.description,
      HelpIdentifier: a.helpIdentifier,
      IsDismissed: false,
      TurnedOn: a.turnedOn,
      AffectedVpgs: [link('VpgApi', `/v1/vpgs/${a.vpgId}`, a.vpgId)],
    }));
  }],
  ['GET', /^\/v1\/tasks$/i, (w) => w.tasks.all().map(renderTask)],
  ['GET', /^\/v1\/tasks\/([^/]+)$/i, (w, c) => {
    const task = w.tasks.get(c.match[1]);
    if (!task) throw new ApiError(404, `Task ${c.match[1]} not found`);
    return renderTask(task);
  }],
  ['POST', /^\/v1\/vpgsettings$/i, (w, c) => w.settings.create(c.body)],
  ['GET', /^\/v1\/vpgsettings\/([^/]+)$/i, (w, c) => w.settings.get(c.match[1])],
  ['PUT', /^\/v1\/vpgsettings\/([^/]+)$/i, (w, c) => {
    w.settings.put(c.match[1], c.body);
    return null;
  }],
  ['DELETE', /^\/v1\/vpgsettings\/([^/]+)$/i, (w, c) => {
    w.settings.discard(c.match[1]);
    return null;
  }],
  ['POST', /^\/v1\/vpgsettings\/([^/]+)\/commit$/i, (w, c) => w.settings.commit(c.match[1])],
  ['GET', /^\/v1\/vpgsettings\/([^/]+)\/vms\/([^/]+)\/nics$/i, (w, c) => w.settings.nics.list(c.match[1], c.match[2], w.settings.vmIdsOf(c.match[1]))],
  ['PUT', /^\/v1\/vpgsettings\/([^/]+)\/vms\/([^/]+)\/nics\/([^/]+)$/i, (w, c) => {
    w.settings.nics.put(c.match[1], c.match[2], decodeURIComponent(c.match[3]), c.body, w.settings.vmIdsOf(c.match[1]));
    return null;
  }],
];
