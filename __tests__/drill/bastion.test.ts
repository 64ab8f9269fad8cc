import type { Env } from '../../testenv/core';
import type { TopologyInput } from '../../topology';
import { operate } from '../../hooks/engine/operation';
import { drillWorldPerSuite, engineOptions, failbackSpec, worldFacts } from '../support/drill';
import { exclusive } from '../support/exclusive';
import { bastionForwardTargets } from '../support/ssh-target';

exclusive('vcenter-example-vms');

/**
 * The drill with every guest behind the testenv's bastion (guard.ssh.bastion, its own key): each guest gets an
 * address of its own on the guest sshd (a loopback alias), so the bastion's log shows a forwarded connection
 * to every one of them. The database VM keeps 127.0.0.1: MariaDB listens there, and its check is not SSH.
 */
function throughBastion(t: TopologyInput, env: Env): TopologyInput {
  const aliases = env.PRA_TESTENV_SSH_ALIASES.split(',');
  const dbRoles = new Set((t.checks?.mysql ?? []).map((c) => c.role));
  return {
    ...t,
    vms: t.vms.map((vm, i) => (dbRoles.has(vm.role) ? vm : { ...vm, guest: { ...vm.guest!, sshHost: aliases[i] } })),
    guard: {
      ...t.guard!,
      ssh: {
        ...t.guard!.ssh!,
        bastion: { host: '127.0.0.1', port: Number(env.PRA_TESTENV_BASTION_PORT), user: env.PRA_TESTENV_SSH_USER, privateKey: { file: env.PRA_TESTENV_BASTION_KEY }, hostKeySha256: [env.PRA_TESTENV_BASTION_HOST_KEY_SHA256] },
      },
    },
  };
}

describe('the drill with every guest behind a bastion', () => {
  let before = 0; // connections the bastion forwarded before this world (its set-up publishes through it too)
  beforeAll(() => {
    before = bastionForwardTargets().length;
  });
  const suite = drillWorldPerSuite({ guard: true, customize: throughBastion });

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
