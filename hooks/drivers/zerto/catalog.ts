import { PermanentError } from '../common/errors';
import type { ZertoClient } from './client';
import { list, str } from './fields';

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

export interface SiteObjects {
  readonly id: string;
  readonly name: string;
  readonly vms: NameIndex;
  readonly clusters: NameIndex;
  readonly datastores: NameIndex;
  readonly networks: NameIndex;
  readonly resourcePools: NameIndex;
}

/** Where each kind is listed under `/v1/virtualizationsites/{site}/` and its id and name fields. */
const KINDS = {
  vms: ['vms', 'VmIdentifier', 'VmName'],
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
  private sites?: Promise<{ id: string; name: string }[]>;

  constructor(private readonly client: ZertoClient) {}

  /** The site whose Zerto name is `name` (compared case-insensitively), with its objects. */
  async site(name: string): Promise<SiteObjects> {
    const all = await this.allSites();
    const site = all.find((s) => s.name.toLowerCase() === name.toLowerCase());
    if (!site) throw new PermanentError(this.client.system, `no Zerto site named ${name}; the ZVM knows ${all.map((s) => s.name).join(', ') || 'none'}: name the topology's sites as Zerto does`);
    return this.objects(site);
  }

  /** The site with identifier `id`, when the ZVM knows it. */
  async siteById(id: string): Promise<SiteObjects | undefined> {
    const site = (await this.allSites()).find((s) => s.id === id);
    return site && this.objects(site);
  }

  private allSites(): Promise<{ id: string; name: string }[]> {
    this.sites ??= this.client.get('/v1/virtualizationsites').then((raw) => list(raw).map((s) => ({ id: str(s, 'SiteIdentifier') ?? '', name: str(s, 'VirtualizationSiteName') ?? '' })));
    return this.sites;
  }

  private objects(site: { id: string; name: string }): Promise<SiteObjects> {
    let objects = this.loaded.get(site.id);
    if (!objects) {
      objects = this.load(site);
      this.loaded.set(site.id, objects);
    }
    return objects;
  }

  private async load(site: { id: string; name: string }): Promise<SiteObjects> {
    const index = async ([path, idField, nameField]: readonly [string, string, string]) =>
      new NameIndex(list(await this.client.get(`/v1/virtualizationsites/${encodeURIComponent(site.id)}/${path}`)).map((e) => ({ id: str(e, idField) ?? '', name: str(e, nameField) ?? '' })));
    const [vms, clusters, datastores, networks, resourcePools] = await Promise.all([KINDS.vms, KINDS.clusters, KINDS.datastores, KINDS.networks, KINDS.resourcePools].map(index));
    return { ...site, vms, clusters, datastores, networks, resourcePools };
  }
}
