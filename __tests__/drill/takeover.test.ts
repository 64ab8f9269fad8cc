import { existsSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { JournalEntry } from '../../hooks/engine/events';
import { replay } from '../../hooks/engine/execution';
import { runStoreOf } from '../../hooks/engine/operation';
import { killHard } from '../support/child';
import { drillWorldPerSuite, onEtcdAuthority, praChild, praProcess, worldFacts, zertoActions, type PraResult } from '../support/drill';
import { eventually } from '../support/eventually';

// Above the product's 10 s default so that A, renewing every third of it, keeps its lease on a loaded machine.
const LEASE_TTL_SECONDS = 15;

/**
 * Operator A starts a failback on machine A (its own working directory) and its process is SIGKILLed at the
 * activation gate; operator B, in a directory with no `.pra/`, sees the run, approves, takes it over once A's
 * lease expired, and completes it. Every command of B reads and writes the journal in etcd only.
 */
describe('a run taken over from another machine after its operator died', () => {
  const suite = drillWorldPerSuite({ guard: true, customize: (t) => onEtcdAuthority(t, LEASE_TTL_SECONDS) });

  it('is approved and resumed from a second directory, completes once, with zero overlap, and reports both operators', async () => {
    const { world } = suite;
    const [dirA, dirB] = ['operator-a', 'operator-b'].map((name) => join(world.dir, name));
    for (const dir of [dirA, dirB]) mkdirSync(dir);
    const files = ['--topology', world.topologyFile, '--state', world.stateFile];
    const alice = { PRA_OPERATOR: 'alice' };
    const bob = { PRA_OPERATOR: 'bob' };
    const asBob = (args: string[]) => praChild(world, args, bob, dirB);
    const shared = runStoreOf(world.systems.authority, join(world.dir, 'test-copies'));
    const events = async (): Promise<JournalEntry[]> => {
      const [id] = await shared.runIds();
      return id ? shared.entries(id) : [];
    };
    const requested = async (gate: string) => (await events()).some((e) => e.type === 'approval.requested' && e.gate === gate);

    // A: no --auto-approve and no terminal, so every gate waits for pra approve.
    const a = praProcess(world, ['failback', '--to', 'rbx', '--json', ...files], alice, dirA);
    await eventually('A waits at the validation gate', () => requested('validation'), { timeoutMs: 120_000, intervalMs: 200 });
    const listed = await asBob(['runs', '--json', '--topology', world.topologyFile]);
    expect(listed.code).toBe(0);
    const [run] = JSON.parse(listed.output) as { id: string; state: string; operator: string }[];
    expect(run).toMatchObject({ state: 'pendingApproval', operator: 'alice' });
    // Four eyes from the second machine: A's runner sees the approval in etcd and goes on.
    expect((await asBob(['approve', run.id, '--gate', 'validation', '--comment', 'RBX VMs checked from B', '--topology', world.topologyFile])).code).toBe(0);
    await eventually('A waits at the activation gate', () => requested('activation'), { timeoutMs: 120_000, intervalMs: 100 });
    // While A lives, its lease holds the run lock: B is refused and told how long to wait. (Checked before the kill:
    // after it, a loaded machine can spend the whole TTL starting B's processes.)
    const early = await asBob(['resume', run.id, ...files]);
    expect(early.code).toBe(4);
    expect(early.output).toMatch(new RegExp(`run lock held by alice \\(run ${run.id}\\) \\(pid \\d+ on [^)]+\\) since .*its lease expires in \\d+ s \\(lease TTL ${LEASE_TTL_SECONDS} s\\)`));
    await killHard(a.child as never);
    expect((await a.exited).signal).toBe('SIGKILL');
    expect((await asBob(['approve', run.id, '--gate', 'activation', '--comment', 'app checked on RBX from B', '--topology', world.topologyFile])).code).toBe(0);
    expect(existsSync(join(dirB, '.pra'))).toBe(false); // B has no journal of its own: everything so far came from etcd
    // Once the lease expired, a plain resume asks for --take-over; then B takes the run over and completes it.
    let refused: PraResult = early;
    await eventually(
      "A's lease expired",
      async () => {
        refused = await asBob(['resume', run.id, ...files]);
        return !/run lock held/.test(refused.output);
      },
      { timeoutMs: 90_000, intervalMs: 1000 },
    );
    expect(refused.code).toBe(4);
    expect(refused.output).toMatch(new RegExp(`run ${run.id} was driven by alice on ${hostname()} and did not pause .*pra resume ${run.id} --take-over`));
    const taken = await asBob(['resume', run.id, '--take-over', ...files]);
    expect(taken.output).not.toMatch(/refused/);
    expect(taken.code).toBe(0);

    const entries = await events();
    expect(replay(entries).state).toBe('completed');
    expect(entries.filter((e) => e.type === 'run.resumed')).toEqual([expect.objectContaining({ by: 'bob', tookOverFrom: `alice on ${hostname()}` })]);
    const report = await asBob(['report', run.id, '--format', 'json', '--topology', world.topologyFile]);
    expect(report.code).toBe(0);
    expect(report.output).toContain('taking the run over from alice');
    expect(JSON.parse(report.output).run.operators).toEqual(['alice', 'bob']);

    const facts = await worldFacts(world);
    const zerto = { failovers: await zertoActions(world, 'Failover'), commits: await zertoActions(world, 'FailoverCommit') };
    const { overlap } = await suite.finish();
    expect(overlap.windowMs).toBe(0);
    expect(zerto).toEqual({ failovers: 1, commits: 1 });
    // Zerto's naming: the VMs recovered at RBX carry the SBG names, and the commit (reverse protection) removed the SBG VMs.
    expect(facts).toEqual({ authority: 'rbx', rbx: ['poweredOn', 'poweredOn'], sbg: ['absent', 'absent'], dnsOn: 'rbx', lbOn: 'rbx', activeSiteInState: 'rbx' });
  }, 600_000);
});
