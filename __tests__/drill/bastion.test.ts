import { behindBastion } from '../../testenv/drill/topology';
import { operate } from '../../hooks/engine/operation';
import { drillWorldPerSuite, engineOptions, failbackSpec, worldFacts } from '../support/drill';
import { bastionForwardTargets } from '../support/ssh-target';

/** `pra drill --bastion` as a test: every guest behind the testenv's bastion (testenv/drill/topology.ts, behindBastion). */
describe('the drill with every guest behind a bastion', () => {
  let before = 0; // connections the bastion forwarded before this world (its set-up publishes through it too)
  beforeAll(() => {
    before = bastionForwardTargets().length;
  });
  const suite = drillWorldPerSuite({ guard: true, customize: behindBastion });

  it('completes with zero overlap, every guest reached through a connection the bastion forwarded', async () => {
    const { world } = suite;
    const view = await operate('start', world.systems, failbackSpec(world), engineOptions(world));
    expect(view.state).toBe('completed');
    const forwarded = new Set(bastionForwardTargets().slice(before));
    const guests = world.topology.vms.map((vm) => `${vm.guest!.sshHost}:${vm.guest!.sshPort}`);
    expect(new Set(guests).size).toBeGreaterThan(1);
    for (const guest of guests) expect(forwarded).toContain(guest);
    const facts = await worldFacts(world);
    const { overlap } = await suite.finish();
    expect(overlap.windowMs).toBe(0);
    expect(facts).toMatchObject({ authority: 'rbx', dnsOn: 'rbx', lbOn: 'rbx' });
  }, 300_000);
});
