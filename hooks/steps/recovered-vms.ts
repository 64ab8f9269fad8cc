import type { Topology } from '../../topology';
import { PermanentError } from '../drivers/common/errors';
import type { Vcenter, Zerto } from './systems';

/** One VM a Zerto recovery brought up: the VPG, the protected VM it was made from, its name at the recovery site. */
export interface RecoveredVm {
  readonly vpg: string;
  readonly protectedVm: string;
  readonly vm: string;
}

/** A protected VM of a VPG and the names its recovered VM may carry at the recovery site. */
export interface RecoveryCandidate {
  readonly vpg: string;
  readonly protectedVm: string;
  readonly names: readonly string[];
}

/**
 * The protected VMs of each VPG as Zerto lists them (`GET /v1/vms?vpgName=`), each with the names its recovered
 * VM may have (hazard H12): the protected VM's own, which Zerto's guides describe (the VM is created from the
 * replicated disks), then its topology peer, the seeds' per-site naming.
 */
export async function recoveryCandidates(zerto: Pick<Zerto, 'vms'>, topology: Topology, vpgs: readonly string[]): Promise<RecoveryCandidate[]> {
  const peerOf = new Map(topology.vms.map((vm) => [vm.name, vm.peer]));
  const listed = await Promise.all(vpgs.map(async (vpg) => ({ vpg, vms: await zerto.vms(vpg) })));
  return listed.flatMap(({ vpg, vms }) =>
    vms.map((vm) => {
      const peer = peerOf.get(vm.name);
      return { vpg, protectedVm: vm.name, names: peer && peer !== vm.name ? [vm.name, peer] : [vm.name] };
    }),
  );
}

/**
 * What Zerto appends to the name of each VM a failover test creates: the guides say the test VMs are created "with
 * the suffix testing recovery" (6.5 vSphere help, "After Starting a Test, What Happens?"; the exact separator is not
 * documented, docs/zerto.md).
 */
export const TEST_VM_SUFFIX = ' - testing recovery';

/** The test VMs a failover test of `vpgs` may bring up: the protected VM's name with Zerto's suffix, or its topology peer (the seeds'). */
export async function testCandidates(zerto: Pick<Zerto, 'vms'>, topology: Topology, vpgs: readonly string[]): Promise<RecoveryCandidate[]> {
  return (await recoveryCandidates(zerto, topology, vpgs)).map((c) => ({ ...c, names: [`${c.protectedVm}${TEST_VM_SUFFIX}`, ...c.names.filter((name) => name !== c.protectedVm)] }));
}

/**
 * Matches every candidate with the one VM of its names the recovery site's vCenter shows running or suspended.
 * A protected VM with none, or with two, fails the step (the run pauses; the pause watcher suspended every
 * name it watched): an operator decides, the engine never guesses which VM to resume.
 */
export async function matchRecovered(vcenter: Pick<Vcenter, 'powerStates'>, site: string, candidates: readonly RecoveryCandidate[]): Promise<RecoveredVm[]> {
  const states = await vcenter.powerStates([...new Set(candidates.flatMap((c) => c.names))]);
  const problems: string[] = [];
  const matched = candidates.flatMap((c): RecoveredVm[] => {
    const up = c.names.filter((name) => states.has(name) && states.get(name) !== 'poweredOff');
    if (up.length === 1) return [{ vpg: c.vpg, protectedVm: c.protectedVm, vm: up[0] }];
    problems.push(`${c.vpg}: ${c.protectedVm} ${up.length ? `matches ${up.join(' and ')}` : `has no running or suspended VM named ${c.names.join(' or ')}`}`);
    return [];
  });
  if (problems.length) throw new PermanentError(`vcenter ${site}`, `cannot match the recovered VMs: ${problems.join('; ')}; check in vCenter and Zerto which VM each VPG recovered`);
  return matched;
}
