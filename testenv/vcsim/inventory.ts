import type { Site, Topology } from '../../topology';

/** One VM the simulator creates: its real name, initial power state and extraConfig. */
export interface SimulatedVm {
  readonly name: string;
  /** A folder directly under the datacenter's vm folder, created when missing. @default the vm folder */
  readonly folder?: string;
  readonly power?: 'poweredOn' | 'poweredOff' | 'suspended';
  readonly extraConfig?: Readonly<Record<string, string>>;
}

/**
 * Where a site simulator puts VMs: a datacenter, one of its clusters (its root resource pool), a datastore of
 * that cluster and the network of each VM's NIC, created in the simulator when missing (testenv/vcsim/placement.go).
 * Without one, VMs go to the simulator's default datacenter (the example's), with no NIC.
 */
export interface VcsimPlacement {
  readonly datacenter: string;
  readonly cluster: string;
  readonly datastore: string;
  readonly network: string;
}

/** A topology site's own datacenter, cluster, datastore and network. */
export function placementOf(site: Pick<Site, 'vcenter' | 'cluster' | 'datastore' | 'network'>): VcsimPlacement {
  return { datacenter: site.vcenter.datacenter, cluster: site.cluster, datastore: site.datastore, network: site.network };
}

/**
 * A site's VMs as the simulator starts them: by default the situation the failback starts from, after the
 * disaster: the standby site runs the application (its VMs on), the primary site's VMs are off.
 * extraConfig carries the keys the stacks declare that identify a VM's site to the guard, and those of
 * `declared` (VM name -> extraConfig its site stack declares, for the drill of a synthesized topology).
 */
export function siteInventory(topology: Topology, site: string, active?: string, declared?: ReadonlyMap<string, Readonly<Record<string, string>>>): SimulatedVm[] {
  const running = active ?? topology.sites.find((s) => s.role === 'standby')?.name;
  return topology.vms
    .filter((vm) => vm.site === site)
    .map((vm) => ({
      name: vm.name,
      power: site === running ? 'poweredOn' : 'poweredOff',
      extraConfig: { 'pra.failback.enabled': String(vm.protected), 'pra.failback.site': site, 'guestinfo.pra.site': site, ...declared?.get(vm.name) },
    }));
}
