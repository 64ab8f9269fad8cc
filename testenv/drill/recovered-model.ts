import type { Topology } from '../../topology';
import { GUESTINFO_ACTIVE_SITE, GUESTINFO_EPOCH } from '../../topology/guestinfo';
import { ExtraConfigKey } from '../../constructs/extra-config';
import type { Vcenter } from '../../hooks/steps/systems';
import { vmsOf } from '../../hooks/steps/topology-views';
import type { Env } from '../core';
import type { RecoveredNames } from '../sims/zerto/world';
import { TEST_SUFFIX } from '../sims/zerto/operations';
import { placementOf, siteInventory } from '../vcsim/inventory';
import { provisionVms, removeVms } from '../vcsim/provision';
import { slotOf } from './local-topology';

/**
 * How a recovered VM comes up in the drill (docs/zerto.md, "What Zerto does to a recovered VM").
 * - `documented` (the default): Zerto creates the recovered VM from the protected VM's replicated disks, so it
 *   boots with the protected VM's `/etc/pra` files as they were at the checkpoint; its VMX carries none of the
 *   pra guestinfo keys (nothing documents that Zerto copies extraConfig); its VMware Tools answer what its VMX
 *   holds, live (testenv/drill/follow.ts, followGuestinfo).
 * - `peer` (the seeds' world): the recovery site's VMs keep their own disks and VMX, as before this model.
 * How recovered VMs are named is the Zerto simulator's choice (RecoveredNames, testenv/sims/zerto/world.ts).
 */
export type RecoveryModel = 'documented' | 'peer';

/** The pra guestinfo keys a VMX made by a Zerto recovery lacks (the declared site, the engine's fence). */
const PRA_GUESTINFO_KEYS = [ExtraConfigKey.site, GUESTINFO_ACTIVE_SITE, GUESTINFO_EPOCH];

/**
 * Clears the pra guestinfo keys from every VM's VMX (vSphere removes a key set to ""): the VMX of a VM made by
 * a Zerto recovery, and what the drill's start state has before the engine writes anything.
 */
export async function asZertoMakesThem(vcenter: (site: string) => Pick<Vcenter, 'writeExtraConfig'>, topology: Topology): Promise<void> {
  const cleared = Object.fromEntries(PRA_GUESTINFO_KEYS.map((key) => [key, '']));
  await Promise.all(topology.sites.flatMap((site) => vmsOf(topology, site.name).map((vm) => vcenter(site.name).writeExtraConfig(vm, cleared))));
}

/**
 * Site -> vCenter VM name -> the topology VM whose simulated guest it runs, for the VMs `guests(site)` of each site.
 * Under protected names a VM recovered at a site carries the name of its protected VM at the other site, the peer of
 * the site's own VM: it runs that VM's guest (the VPG gives it that VM's address, the engine reaches it there over
 * SSH); so does the VM a failover test creates from it ("<name> - testing recovery"). Their names come first: when
 * both exist, the recovered VM is the live one.
 */
export function guestsByVcenterName(topology: Topology, names: RecoveredNames, guests: (site: string) => readonly string[]): Map<string, Map<string, string>> {
  const peerOf = new Map(topology.vms.map((vm) => [vm.name, vm.peer]));
  return new Map(
    topology.sites.map((site) => [
      site.name,
      new Map(
        guests(site.name).flatMap((vm) => {
          const peer = peerOf.get(vm);
          return names === 'protected' && peer ? [[peer, vm] as const, [`${peer}${TEST_SUFFIX}`, vm] as const, [vm, vm] as const] : [[vm, vm] as const];
        }),
      ),
    ]),
  );
}

/**
 * Undoes in vcsim what protected-name recoveries did: the VMs they created (another site's VM names) go, and the
 * protected VMs they removed come back as they were made (`active`: the site whose VMs run), in each site's own
 * datacenter, cluster, datastore and network with the extraConfig the drill provisioned them with (`declared`).
 */
export async function undoRecoveredVms(env: Env, topology: Topology, active: string, declared: ReadonlyMap<string, Readonly<Record<string, string>>>): Promise<void> {
  await Promise.all(
    topology.sites.map(async (site) => {
      const placement = placementOf(site);
      await removeVms(env, slotOf(site), topology.vms.filter((vm) => vm.site !== site.name).map((vm) => vm.name), placement.datacenter);
      await provisionVms(env, slotOf(site), siteInventory(topology, site.name, active, declared), placement);
    }),
  );
}
