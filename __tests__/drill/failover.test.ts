import { operate } from '../../hooks/engine/operation';
import { drillWorldPerSuite, engineOptions, failbackSpec, worldFacts } from '../support/drill';

/**
 * The disaster direction after a completed failback: RBX is lost, so the cron token is fenced by epoch with
 * --force, and SBG recovers through the VPG that the failback's reverse protection flipped (same name, now
 * replicating RBX -> SBG), without reverse protection, then takes traffic and the token.
 */
describe('pra failover --to sbg --force after a failback, RBX lost', () => {
  const suite = drillWorldPerSuite();

  it('fences RBX by epoch, recovers on SBG through the flipped VPG, moves traffic and the token, with zero overlap', async () => {
    const { world } = suite;
    const failback = await operate('start', world.systems, failbackSpec(world), engineOptions(world));
    expect(failback.state).toBe('completed');
    for (const vm of world.topology.vms.filter((v) => v.site === 'rbx')) await world.systems.vcenter('rbx').ensureOff(vm.name, { guestShutdownTimeoutMs: 0 });
    const failover = await operate('start', world.systems, { kind: 'failover', from: 'rbx', to: 'sbg', force: true, topologyFile: world.topologyFile, stateFile: world.stateFile }, engineOptions(world));
    expect(failover.state).toBe('completed');
    expect(failover.steps.find((s) => s.id === 'preflight.vpgs')?.output).toEqual({ vpgs: ['VPG-SBG-TO-RBX'] });
    const facts = await worldFacts(world);
    expect(facts).toMatchObject({ authority: 'sbg', sbg: ['poweredOn', 'poweredOn'], dnsOn: 'sbg', lbOn: 'sbg', activeSiteInState: 'sbg' });
    expect(world.systems.state.read()).toEqual({ failback_site: 'sbg', enable_failback_pause_mode: true, active_site: 'sbg' });
    const { overlap } = await suite.finish();
    expect(overlap.windowMs).toBe(0);
  }, 240_000);
});
