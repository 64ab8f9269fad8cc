import type { Topology } from '../../topology';

/** VM names of one site, in topology order. */
export function vmsOf(topology: Topology, site: string): string[] {
  return topology.vms.filter((vm) => vm.site === site).map((vm) => vm.name);
}

/** The VPGs that replicate `from` -> `to`. */
export function vpgsBetween(topology: Topology, from: string, to: string) {
  return topology.vpgs.filter((g) => g.source === from && g.target === to);
}

/** The VMs a recovery to `to` brings up, by the VPGs the topology declares from -> to. */
export function recoveredVms(topology: Topology, from: string, to: string): string[] {
  return vpgsBetween(topology, from, to).flatMap((g) => directed(topology, g, to).recovered);
}

/** A VPG as a running plan uses it: its topology settings and the VMs it brings up on the recovery site. */
export interface DirectedVpg {
  readonly name: string;
  readonly rpoTargetSeconds: number;
  readonly recovery: 'move' | 'failover';
  /** VMs on the recovery site: the peers of the protected VMs (or the VMs themselves for a VPG that reverse protection flipped). */
  readonly recovered: readonly string[];
}

function directed(topology: Topology, vpg: Topology['vpgs'][number], to: string): DirectedVpg {
  const byName = new Map(topology.vms.map((vm) => [vm.name, vm]));
  const recovered = vpg.vms.map((name) => {
    const vm = byName.get(name);
    return vm?.site === to ? vm.name : vm?.peer;
  });
  return { name: vpg.name, rpoTargetSeconds: vpg.rpoTargetSeconds, recovery: vpg.recovery, recovered: recovered.filter((n): n is string => n !== undefined) };
}

/** The step id whose output names the VPGs that replicate from -> to right now (read from Zerto). */
export const RESOLVED_VPGS_STEP = 'preflight.vpgs';

/**
 * The VPGs a running plan drives: the ones `preflight.vpgs` found replicating from -> to in Zerto (journaled,
 * so a resumed run keeps them), else, before that step ran, the topology's VPGs declared from -> to.
 * Reverse protection keeps a VPG's name while flipping its direction, so after a failback the VPG protecting
 * RBX -> SBG is the one declared SBG -> RBX.
 */
export function vpgsOf(ctx: { readonly systems: { readonly topology: Topology }; readonly outputs: Readonly<Record<string, unknown>> }, from: string, to: string): DirectedVpg[] {
  const { topology } = ctx.systems;
  const resolved = (ctx.outputs[RESOLVED_VPGS_STEP] as { vpgs?: string[] } | undefined)?.vpgs;
  const chosen = resolved ? topology.vpgs.filter((g) => resolved.includes(g.name)) : vpgsBetween(topology, from, to);
  return chosen.map((g) => directed(topology, g, to));
}

export function recoveredOf(ctx: Parameters<typeof vpgsOf>[0], from: string, to: string): string[] {
  return vpgsOf(ctx, from, to).flatMap((g) => g.recovered);
}

/** The step whose output names the VMs Zerto recovered, as the recovery site's vCenter knows them. */
export const RECOVERED_VMS_STEP = 'restore.recover';

/**
 * The recovered VMs by their names in the recovery site's vCenter (hypervisor-level steps): the ones
 * `restore.recover` matched (journaled: Zerto may name them like the protected VMs, H12), else the topology's
 * peers. Guest-level steps (SSH, guestinfo publishers) address the topology's VMs with `recoveredOf`.
 */
export function recoveredInVcenter(ctx: Parameters<typeof vpgsOf>[0], from: string, to: string): string[] {
  const found = (ctx.outputs[RECOVERED_VMS_STEP] as { recovered?: { vm: string }[] } | undefined)?.recovered;
  return found ? found.map((r) => r.vm) : recoveredOf(ctx, from, to);
}
