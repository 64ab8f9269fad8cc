import type { Topology } from '../../topology';

/** VM names of one site, in topology order. */
export function vmsOf(topology: Topology, site: string): string[] {
  return topology.vms.filter((vm) => vm.site === site).map((vm) => vm.name);
}

/** The VPGs that replicate `from` -> `to`. */
export function vpgsBetween(topology: Topology, from: string, to: string) {
  return topology.vpgs.filter((g) => g.source === from && g.target === to);
}

/** The VMs a failback to `to` brings up: the peers, on `to`, of the VMs protected by the from -> to VPGs. */
export function recoveredVms(topology: Topology, from: string, to: string): string[] {
  const byName = new Map(topology.vms.map((vm) => [vm.name, vm]));
  return vpgsBetween(topology, from, to).flatMap((g) => g.vms.map((name) => byName.get(name)?.peer).filter((p): p is string => p !== undefined));
}
