import { readFileSync } from 'node:fs';
import { realSleep } from '../../hooks/drivers/common/retry';
import { operate } from '../../hooks/engine/operation';
import { remoteApprover } from '../../hooks/engine/approvers';
import type { Approver } from '../../hooks/engine/runner';
import { journalOf } from '../../hooks/engine/journal';
import { parseLedger } from '../../hooks/guard/ledger';
import { buildReport } from '../../hooks/report';
import { guardLedger } from '../../testenv/guests/fleet';
import { drillWorldPerSuite, outcome, praChild, runFlags, worldFacts, zertoActions } from '../support/drill';

const RBX_VMS = ['VM-DOCKER-APP-A-RBX', 'VM-MYSQL-APP-A-RBX'];

/** An operator who checks the test VMs for a while (their crons tick meanwhile), then stops the test with notes. */
const checkingOperator = (ms: number): Approver => ({
  request: async () => {
    await realSleep(ms);
    return { approved: true, by: 'qa-lead', comment: 'pass: app answered in the test network, crons denied' };
  },
});

/**
 * `pra test-failover --to rbx` on the drill world: Zerto's Failover Test brings the RBX VMs up (vcsim), their
 * simulated guests run cron jobs through the real pra-guard, which must deny every one of them, while SBG keeps
 * production, the cron token, DNS and the load balancer; the run is journaled and reported like a failback.
 */
describe('pra test-failover --to rbx', () => {
  const suite = drillWorldPerSuite();

  it('is refused (exit 4) while another run holds the run lock', async () => {
    const { world } = suite;
    const lock = await world.systems.authority.acquireRunLock({ holder: 'ops (run failback-elsewhere)', reason: 'failback sbg -> rbx' });
    try {
      const { code, output } = await praChild(world, ['test-failover', '--to', 'rbx', ...runFlags(world)]);
      expect(code).toBe(4);
      expect(output).toContain('failback-elsewhere');
    } finally {
      await lock.release();
    }
    expect(await zertoActions(world, 'FailoverTest')).toBe(0);
  });

  it('refuses the active site as a target (exit 2)', async () => {
    const { code, output } = await praChild(suite.world, ['test-failover', '--to', 'sbg', ...runFlags(suite.world)]);
    expect(code).toBe(2);
    expect(output).toContain('sbg is already the active site');
  });

  it('runs the test VMs fenced: every job they start is denied, production is untouched, the run is reported', async () => {
    const { world } = suite;
    const spec = { kind: 'test-failover' as const, from: 'sbg', to: 'rbx', force: false, topologyFile: world.topologyFile, stateFile: world.stateFile };
    const view = await operate('start', world.systems, spec, { journalDir: world.journalDir, operator: 'qa', approver: checkingOperator(4000), approvalPollMs: 20 });
    expect(outcome(view)).toEqual({ state: 'completed' });
    expect(view.steps.find((s) => s.id === 'test.stop')?.output).toMatchObject({ success: true, summary: expect.stringContaining('qa-lead') });

    // The test VMs ran and tried their jobs: the guard denied each one.
    const decisions = RBX_VMS.flatMap((vm) => parseLedger(readFileSync(guardLedger(world.fleet.rootOf(vm)), 'utf8'), vm)).map((e) => e.decision);
    expect(decisions.length).toBeGreaterThan(3);
    expect(decisions.filter((d) => d !== 'deny' && d !== 'replay-deny')).toEqual([]);

    // Production untouched: token at the same epoch, SBG running and serving, RBX off again, one test in Zerto.
    expect(await world.systems.authority.read()).toMatchObject({ active: 'sbg', epoch: 1 });
    expect(await worldFacts(world)).toMatchObject({ authority: 'sbg', sbg: ['poweredOn', 'poweredOn'], rbx: ['poweredOff', 'poweredOff'], dnsOn: 'sbg', lbOn: 'sbg', activeSiteInState: 'sbg' });
    expect([await zertoActions(world, 'FailoverTest'), await zertoActions(world, 'FailoverTestStop'), await zertoActions(world, 'Move'), await zertoActions(world, 'Failover')]).toEqual([1, 1, 0, 0]);

    // Reported like a failback: timeline, approvals with the operator's notes.
    const report = buildReport(journalOf(world.journalDir, view.id));
    expect(report.run).toMatchObject({ plan: 'failover test sbg -> rbx', state: 'completed' });
    expect(JSON.stringify(report)).toContain('pass: app answered in the test network');
    const { code, output } = await praChild(world, ['report', view.id, '--format', 'md', '--journal-dir', world.journalDir]);
    expect(code).toBe(0);
    expect(output).toContain('test.production');
  }, 240_000);

  it('with --checks, checks the test VMs, pauses at the stop gate when interrupted, and pra resume stops the test once', async () => {
    const { world } = suite;
    const spec = { kind: 'test-failover' as const, from: 'sbg', to: 'rbx', force: false, checks: true, topologyFile: world.topologyFile, stateFile: world.stateFile };
    const interrupt = new AbortController();
    const paused = await operate('start', world.systems, spec, {
      journalDir: world.journalDir,
      operator: 'qa',
      approver: remoteApprover,
      approvalPollMs: 20,
      signal: interrupt.signal,
      onEvent: (e) => e.type === 'approval.requested' && interrupt.abort(),
    });
    expect(paused.state).toBe('pausedByOperator');
    expect(paused.steps.find((s) => s.id === 'test.checks')?.status).toBe('succeeded');
    expect((await world.systems.zerto('rbx').getVpg('VPG-SBG-TO-RBX')).testRunning).toBe(true);
    const stopsBefore = await zertoActions(world, 'FailoverTestStop');
    const { code, output } = await praChild(world, ['resume', paused.id, '--auto-approve', '--journal-dir', world.journalDir]);
    expect(output).not.toContain('Error');
    expect(code).toBe(0);
    expect(await zertoActions(world, 'FailoverTestStop')).toBe(stopsBefore + 1);
    expect((await world.systems.zerto('rbx').getVpg('VPG-SBG-TO-RBX')).testRunning).toBe(false);
  }, 240_000);

  it('leaves no double execution and no job run on RBX over the whole suite', async () => {
    const { overlap, executionsPerSite } = await suite.finish();
    expect(overlap.windowMs).toBe(0);
    expect(executionsPerSite.rbx ?? 0).toBe(0);
    expect(executionsPerSite.sbg).toBeGreaterThan(0);
  });
});
