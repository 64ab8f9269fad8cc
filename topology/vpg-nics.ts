import type { Topology } from './schema';

/**
 * The address a protected VM must get when a VPG recovers it (hazard H13): the sites have different subnets,
 * so a VM recovered at the target keeps the source's address unless the VPG's per-VM NIC settings re-IP it
 * (`failover.hypervisor.ipConfig` with `shouldReplaceIpConfiguration`, docs/zerto.md). The address is the one
 * the topology gives the VM's peer on the target site, with the target site's mask and gateway.
 */
export interface FailoverIp {
  /** The protected VM (on the VPG's source site). */
  readonly vm: string;
  readonly staticIp: string;
  readonly subnetMask: string;
  readonly gateway: string;
}

/** `10.100.0.0/24` -> `255.255.255.0`. */
export function subnetMask(cidr: string): string {
  const bits = Number(cidr.split('/')[1]);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return [24, 16, 8, 0].map((shift) => (mask >>> shift) & 255).join('.');
}

/** The failover address of every VM of `vpgName` that has a peer on the VPG's target site (others are not re-IPed). */
export function failoverIps(topology: Topology, vpgName: string): FailoverIp[] {
  const vpg = topology.vpgs.find((g) => g.name === vpgName);
  const target = topology.sites.find((s) => s.name === vpg?.target);
  if (!vpg || !target) return [];
  const byName = new Map(topology.vms.map((vm) => [vm.name, vm]));
  return vpg.vms.flatMap((name) => {
    const peer = byName.get(byName.get(name)?.peer ?? '');
    return peer?.site === target.name ? [{ vm: name, staticIp: peer.ip, subnetMask: subnetMask(target.subnet), gateway: target.gateway }] : [];
  });
}
