import { PermanentError } from '../common/errors';
import type { ZertoClient } from './client';
import { idOf, toProtectedVm } from './fields';
import { field, list, str } from './fields';

/** Names <-> identifiers of one kind of object at one site (VMs, clusters, ...). */
class NameIndex {
  private readonly ids = new Map<string, string>();
  private readonly names = new Map<string, string>();

  constructor(entries: readonly { id: string; name: string }[]) {
    for (const e of entries) {
      this.ids.set(e.name, e.id);
      this.names.set(e.id, e.name);
    }
  }

  id(name: string): string | undefined {
    return this.ids.get(name);
  }

  /** The name of `id`, or the id itself when the site does not list it. */
  name(id: string): string {
    return this.names.get(id) ?? id;
  }
}

interface Site {
  readonly id: string;
  /** The Zerto site name. */
  readonly name: string;
  /** `VirtualizationSiteName`, often the vCenter host name. */
  readonly hypervisorName: string;
}

export interface SiteObjects {
  readonly id: string;
  readonly name: string;
  readonly vms: NameIndex;
  readonly folders: NameIndex;
  readonly clusters: NameIndex;
  readonly datastores: NameIndex;
  readonly networks: NameIndex;
  readonly resourcePools: NameIndex;
}

/**
 * Where each kind is listed under `/v1/virtualizationsites/{site}/` and its id and name fields. `vms` there
 * lists only the VMs no VPG protects yet (10.0 U6 document): protected ones come from `/v1/vms`.
 */
const KINDS = {
  vms: ['vms', 'VmIdentifier', 'VmName'],
  folders: ['folders', 'FolderIdentifier', 'FolderName'],
  clusters: ['hostclusters', 'ClusterIdentifier', 'VirtualizationClusterName'],
  datastores: ['datastores', 'DatastoreIdentifier', 'DatastoreName'],
  networks: ['networks', 'NetworkIdentifier', 'VirtualizationNetworkName'],
  resourcePools: ['resourcepools', 'ResourcePoolIdentifier', 'ResourcepoolName'],
} as const;

/**
 * The virtualization sites a ZVM knows and what each holds, read once per run: VPG settings speak in
 * identifiers, the topology in names.
 */
export class SiteCatalog {
  private readonly loaded = new Map<string, Promise<SiteObjects>>();
  private sites?: Promise<Site[]>;
  private protectedList?: Promise<{ siteId: string; id: string; name: string }[]>;

  constructor(private readonly client: ZertoClient) {}

  /**
   * The site whose Zerto name is `name` (compared case-insensitively), with its objects. Zerto names come from
   * `/v1/localsite` and `/v1/peersites`: `VirtualizationSiteName` is often the vCenter's host name instead.
   */
  async site(name: string): Promise<SiteObjects> {
    const all = await this.allSites();
    const wanted = name.toLowerCase();
    const site = all.find((s) => s.name.toLowerCase() === wanted) ?? all.find((s) => s.hypervisorName.toLowerCase() === wanted);
    if (!site) throw new PermanentError(this.client.system, `no Zerto site named ${name}; the ZVM knows ${all.map((s) => s.name).join(', ') || 'none'}: name the topology's sites as Zerto does`);
    return this.objects(site);
  }

  /** The site with identifier `id`, when the ZVM knows it. */
  async siteById(id: string): Promise<SiteObjects | undefined> {
    const site = (await this.allSites()).find((s) => s.id === id);
    return site && this.objects(site);
  }

  private allSites(): Promise<Site[]> {
    this.sites ??= (async () => {
      const [local, peers, hypervisors] = await Promise.all(['/v1/localsite', '/v1/peersites', '/v1/virtualizationsites'].map((path) => this.client.get(path)));
      const zertoNames = new Map([[idOf(local, 'SiteIdentifier'), str(local, 'SiteName')], ...list(peers).map((p) => [idOf(p, 'SiteIdentifier'), str(p, 'PeerSiteName')] as const)]);
      return list(hypervisors).map((s) => {
        const id = str(s, 'SiteIdentifier') ?? '';
        const hypervisorName = str(s, 'VirtualizationSiteName') ?? '';
        return { id, name: zertoNames.get(id) ?? hypervisorName, hypervisorName };
      });
    })();
    return this.sites;
  }

  /** VMs already in a VPG, by protected site (the site lists only unprotected ones). */
  private protectedVms(): Promise<{ siteId: string; id: string; name: string }[]> {
    this.protectedList ??= this.client.get('/v1/vms').then((raw) => list(raw).map((v) => ({ siteId: str(field(v, 'ProtectedSite'), 'identifier') ?? '', ...toProtectedVm(v) })));
    return this.protectedList;
  }

  private objects(site: Site): Promise<SiteObjects> {
    let objects = this.loaded.get(site.id);
    if (!objects) {
      objects = this.load(site);
      this.loaded.set(site.id, objects);
    }
    return objects;
  }

  private async load(site: Site): Promise<SiteObjects> {
    const entries = async ([path, idField, nameField]: readonly [string, string, string]) =>
      list(await this.client.get(`/v1/virtualizationsites/${encodeURIComponent(site.id)}/${path}`)).map((e) => ({ id: str(e, idField) ?? '', name: str(e, nameField) ?? '' }));
    const [unprotected, folders, clusters, datastores, networks, resourcePools] = await Promise.all([KINDS.vms, KINDS.folders, KINDS.clusters, KINDS.datastores, KINDS.networks, KINDS.resourcePools].map(entries));
    const protectedHere = (await this.protectedVms()).filter((v) => v.siteId === site.id);
    const index = (e: { id: string; name: string }[]) => new NameIndex(e);
    return { id: site.id, name: site.name, vms: index([...unprotected, ...protectedHere]), folders: index(folders), clusters: index(clusters), datastores: index(datastores), networks: index(networks), resourcePools: index(resourcePools) };
  }
}
