import { randomUUID } from 'node:crypto';
import type { Topology } from '../../../topology';

/**
 * What each site's hypervisor holds, as the ZVM sees it (`/v1/virtualizationsites/...`): VMs, the cluster,
 * datastore, network and resource pool of the topology, each with a stable Zerto-style identifier.
 */
export interface NamedItem {
  readonly id: string;
  readonly name: string;
}

export interface SimSite {
  readonly id: string;
  /** The Zerto site name (`/v1/localsite`, `/v1/peersites`). */
  readonly name: string;
  /** `VirtualizationSiteName`: the hypervisor manager's host name, not the Zerto site name. */
  readonly hypervisorName: string;
  /** The site's VMs now: the topology's, less those a recovery removed, plus those it created. */
  readonly vms: NamedItem[];
  readonly cluster: NamedItem;
  readonly datastore: NamedItem;
  readonly network: NamedItem;
  /** The isolated network Failover Tests attach test VMs to. */
  readonly testNetwork: NamedItem;
  /** Where recovered VMs are placed in the VM folder tree. */
  readonly folder: NamedItem;
  readonly resourcePool?: NamedItem;
}

export class Inventory {
  readonly sites: readonly SimSite[];
  /** VM name -> its peer's name on the other site (the VM a recovery brings up). */
  private readonly peers: ReadonlyMap<string, string>;
  /** Site id -> the topology's VMs there (what `reset` goes back to). */
  private readonly initialVms = new Map<string, readonly NamedItem[]>();

  constructor(topology: Topology) {
    this.sites = topology.sites.map((site) => {
      const id = `site-${site.name}`;
      const item = (kind: string, name: string, n = 1): NamedItem => ({ id: `${id}.${kind}-${n}`, name });
      return {
        id,
        name: site.name,
        hypervisorName: new URL(site.vcenter.url).host,
        vms: topology.vms.filter((vm) => vm.site === site.name).map((vm, i) => item('vm', vm.name, i + 1)),
        cluster: item('domain-c', site.cluster),
        datastore: item('datastore', site.datastore),
        network: item('network', site.network),
        testNetwork: item('network', site.testNetwork ?? `${site.network}-test`, 2),
        folder: item('group-v', site.folder ?? 'pra'),
        resourcePool: site.resourcePool === undefined ? undefined : item('resgroup', site.resourcePool),
      };
    });
    this.peers = new Map(topology.vms.flatMap((vm) => (vm.peer === undefined ? [] : [[vm.name, vm.peer] as const])));
    for (const site of this.sites) this.initialVms.set(site.id, [...site.vms]);
  }

  /** Back to the topology's VMs (the site objects stay: each API port holds its own). */
  reset(): void {
    for (const site of this.sites) site.vms.splice(0, site.vms.length, ...this.initialVms.get(site.id)!);
  }

  /** Registers a VM a recovery created at a site: a new object, with an identifier of its own. */
  add(siteId: string, name: string): NamedItem {
    const site = this.site(siteId);
    if (!site) throw new Error(`no site ${siteId}`);
    const vm = { id: `${siteId}.vm-${randomUUID()}`, name };
    site.vms.push(vm);
    return vm;
  }

  /** Forgets a VM a recovery removed. */
  remove(vmId: string): void {
    const found = this.vm(vmId);
    if (found) found.site.vms.splice(found.site.vms.indexOf(found.vm), 1);
  }

  site(id: string): SimSite | undefined {
    return this.sites.find((s) => s.id === id);
  }

  siteNamed(name: string): SimSite | undefined {
    return this.sites.find((s) => s.name === name);
  }

  vm(id: string): { site: SimSite; vm: NamedItem } | undefined {
    for (const site of this.sites) {
      const vm = site.vms.find((v) => v.id === id);
      if (vm) return { site, vm };
    }
    return undefined;
  }

  /** The peer of `vmId` on the other site, or undefined when the topology names none. */
  peerOf(vmId: string): NamedItem | undefined {
    const found = this.vm(vmId);
    const peerName = found && this.peers.get(found.vm.name);
    if (peerName === undefined) return undefined;
    for (const site of this.sites) {
      const peer = site.vms.find((v) => v.name === peerName);
      if (peer) return peer;
    }
    return undefined;
  }
}
