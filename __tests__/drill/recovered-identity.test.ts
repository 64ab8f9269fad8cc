import { operate } from '../../hooks/engine/operation';
import type { TopologyInput } from '../../topology';
import { prepareDrillWorld, type DrillWorld } from '../../testenv/drill/world';
import { drillOperator } from '../../testenv/drill/drill';
import { engineOptions, failbackSpec, outcome } from '../support/drill';

/**
 * Hazard H11 in the documented recovery model (testenv/drill/recovered-model.ts): a recovered VM boots from the
 * protected VM's disks (its /etc/pra files as at the checkpoint) with a VMX that carries no pra guestinfo key,
 * and here keeps the other site's address (VPGs without re-IP: the guard's subnet map cannot tell it moved).
 * The engine writes the VM's site and the fence into its VMX before resuming it, and rewrites the replicated
 * /etc/pra/site once it runs; without that, the VMs recovered on RBX believe they are at SBG.
 * Both naming models: the seeds' (the recovery site's own peers are powered on) and Zerto's documented one (the
 * simulator creates each recovered VM under the protected VM's name, and a commit removes the protected VM).
 */
const IDENTITY_STEPS = ['restore.identity', 'activation.site-file'];

const withRecovery = (recovery: 'move' | 'failover') => (topology: TopologyInput): TopologyInput => ({ ...topology, vpgs: topology.vpgs!.map((g) => ({ ...g, recovery })) });

async function run(world: DrillWorld, spec: Parameters<typeof operate>[2], omitSteps?: readonly string[]) {
  // The operator takes 3 s at each gate (`pra drill` takes 2): the validation window in which both sites run.
  const view = await operate('start', world.systems, spec, { ...engineOptions(world), approver: drillOperator(3000), omitSteps });
  expect(outcome(view)).toEqual({ state: 'completed' });
  return view;
}

/** The VMs a failback to RBX recovers, under each naming model. */
const RECOVERED_AT_RBX = { peer: ['VM-DOCKER-APP-A-RBX', 'VM-MYSQL-APP-A-RBX'], protected: ['VM-DOCKER-APP-B-SBG', 'VM-MYSQL-APP-B-SBG'] };
/** Their inventory paths below the datacenter: Zerto creates a VM in the VPG's recovery folder (the topology's `folder`). */
const PATHS_AT_RBX = { peer: RECOVERED_AT_RBX.peer, protected: RECOVERED_AT_RBX.protected.map((vm) => `pra-recovered/${vm}`) };

describe('recovered VMs as Zerto documents them', () => {
  // Zerto's naming (the simulator's default) with both recovery kinds; the seeds' naming once (the other drills run it).
  it.each([
    ['failover', 'protected'],
    ['move', 'protected'],
    ['failover', 'peer'],
  ] as const)('fail back to RBX and over to SBG again with %s VPGs, recovered VMs named as their %s VMs: zero double execution, jobs on both sites', async (recovery, recoveredNames) => {
    const world = await prepareDrillWorld({ guard: true, reIp: false, customize: withRecovery(recovery), recoveredNames });
    let measured: Awaited<ReturnType<DrillWorld['finish']>> | undefined;
    try {
      await new Promise((r) => setTimeout(r, 2000));
      const failback = await run(world, failbackSpec(world));
      expect(failback.steps.find((s) => s.id === 'restore.identity')?.output).toEqual({ site: 'rbx', fence: expect.stringMatching(/^(sbg|none)@\d+$/), vms: RECOVERED_AT_RBX[recoveredNames] });
      // H12: the state move of site-rbx is journaled once the commit made the recovered VMs permanent.
      const moves = (failback.steps.find((s) => s.id === 'commit.terraform-state')?.output as { moves: { address: string; importId: string }[] }).moves;
      expect(moves.map((m) => [m.address, m.importId.replace(/^\/[^/]+\//, '/DC/')])).toEqual([
        ['vsphere_virtual_machine.VM-DOCKER-APP-A-RBX', `/DC/vm/${PATHS_AT_RBX[recoveredNames][0]}`],
        ['vsphere_virtual_machine.VM-MYSQL-APP-A-RBX', `/DC/vm/${PATHS_AT_RBX[recoveredNames][1]}`],
      ]);
      await new Promise((r) => setTimeout(r, 2000));
      await run(world, { kind: 'failover', from: 'rbx', to: 'sbg', force: false, topologyFile: world.topologyFile, stateFile: world.stateFile });
      await new Promise((r) => setTimeout(r, 2000));
    } finally {
      measured = await world.finish();
    }
    expect(measured.overlap.windowMs).toBe(0);
    expect(measured.executionsPerSite.rbx).toBeGreaterThan(0);
    expect(measured.executionsPerSite.sbg).toBeGreaterThan(0);
  }, 300_000);

  it('shows the double execution when the engine does not write the identity of VMs recovered under their protected VMs\' names', async () => {
    const world = await prepareDrillWorld({ guard: true, reIp: false, customize: withRecovery('failover'), recoveredNames: 'protected' });
    let measured: Awaited<ReturnType<DrillWorld['finish']>> | undefined;
    try {
      await new Promise((r) => setTimeout(r, 2000));
      await run(world, failbackSpec(world), IDENTITY_STEPS);
    } finally {
      measured = await world.finish();
    }
    expect(measured.overlap.windowMs).toBeGreaterThan(0);
    expect(new Set(measured.overlap.overlaps.map((o) => [o.a.site, o.b.site].sort().join('+')))).toEqual(new Set(['rbx+sbg']));
  }, 300_000);
});
