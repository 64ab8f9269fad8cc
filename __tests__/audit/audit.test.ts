import { auditFiles } from '../../hooks/audit/audit';
import { pra } from '../helpers/project';
import { tempDirs } from '../helpers/tmp';
import { ledgerLine, ran, writeLedger } from './ledgers';
import { aUserTopology, writeTopology } from '../support/user-topology';

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

describe('pra audit over guard ledgers', () => {
  it('finds the overlap of a job that ran on both sites across midnight, and exits 1', async () => {
    const dir = dirs.make('pra-audit-');
    const sbg = writeLedger(dir, 'sbg.log', ran('sbg', 'billing', '2026-12-31T23:59:50.000Z', '2027-01-01T00:00:20.000Z', '1-1'));
    const rbx = writeLedger(dir, 'rbx.log', ran('rbx', 'billing', '2027-01-01T00:00:05.000Z', '2027-01-01T00:00:10.000Z', '2-1'));
    const { code, stdout } = await pra(['audit', '--ledger', sbg, '--ledger', rbx, '--timezone', 'UTC'], { cwd: dir });
    expect(code).toBe(1);
    expect(stdout).toContain('OVERLAPS: 1; double-execution window 5000 ms');
    expect(stdout).toContain('billing  sbg (vm-sbg) + rbx (vm-rbx)  2027-01-01T00:00:05.000Z -> 2027-01-01T00:00:10.000Z  5000 ms');
  });

  it('finds none when the second site starts after the first one ended, and exits 0', async () => {
    const dir = dirs.make('pra-audit-');
    const sbg = writeLedger(dir, 'sbg.log', ran('sbg', 'billing', '2026-11-21T03:00:00.100Z', '2026-11-21T03:00:30.000Z', '1-1'));
    const rbx = writeLedger(dir, 'rbx.log', ran('rbx', 'billing', '2026-11-21T03:00:30.000Z', '2026-11-21T03:00:40.000Z', '2-1'));
    const { code, stdout } = await pra(['audit', '--ledger', sbg, '--ledger', rbx, '--timezone', 'UTC'], { cwd: dir });
    expect(code).toBe(0);
    expect(stdout).toContain('overlaps: none; double-execution window 0 ms');
  });

  it('counts and names malformed lines with file:line and still reads the good ones', () => {
    const dir = dirs.make('pra-audit-');
    const file = writeLedger(dir, 'sbg.log', [...ran('sbg', 'billing', '2026-11-21T03:00:00.100Z', '2026-11-21T03:00:01.000Z', '1-1'), 'ts=yesterday\thost=x', 'not a ledger line']);
    const result = auditFiles({ ledgers: [file], timeZone: 'UTC' });
    expect(result.executions).toHaveLength(1);
    expect(result.malformed.map((m) => m.where)).toEqual([`${file}:3`, `${file}:4`]);
    expect(result.malformed[0].problem).toContain('ts="yesterday" is not a UTC timestamp');
  });

  it('counts an execution without an end line as running until the end of the window', () => {
    const dir = dirs.make('pra-audit-');
    const sbg = writeLedger(dir, 'sbg.log', [{ ts: '2026-11-21T03:00:00.000Z', site: 'sbg', job: 'export', decision: 'allow', id: '1-1' }]);
    const rbx = writeLedger(dir, 'rbx.log', ran('rbx', 'export', '2026-11-21T03:05:00.000Z', '2026-11-21T03:06:00.000Z', '2-1'));
    const result = auditFiles({ ledgers: [sbg, rbx], timeZone: 'UTC' });
    expect({ unfinished: result.overlap.unfinished, windowMs: result.overlap.windowMs }).toEqual({ unfinished: 1, windowMs: 60_000 });
  });

  it('lists a scheduled minute in which the job was denied on both sites as missed, with the decisions', () => {
    const dir = dirs.make('pra-audit-');
    const every5 = '*/5 * * * *';
    const sbg = writeLedger(dir, 'sbg.log', [
      ...ran('sbg', 'sync', '2026-11-21T03:00:00.200Z', '2026-11-21T03:00:02.000Z', '1-1', every5),
      { ts: '2026-11-21T03:05:00.200Z', site: 'sbg', job: 'sync', decision: 'deny', id: '1-2', epoch: 2, schedule: every5 },
    ]);
    const rbx = writeLedger(dir, 'rbx.log', [
      { ts: '2026-11-21T03:05:00.300Z', site: 'rbx', job: 'sync', decision: 'deny', id: '2-1', epoch: 2, schedule: every5 },
      ...ran('rbx', 'sync', '2026-11-21T03:10:00.200Z', '2026-11-21T03:10:02.000Z', '2-2', every5),
    ]);
    const result = auditFiles({ ledgers: [sbg, rbx], timeZone: 'UTC', to: Date.parse('2026-11-21T03:11:00Z') });
    expect(result.missed.map((m) => [m.job, m.local, m.decisions.map((d) => `${d.site} ${d.decision}`)])).toEqual([
      ['sync', '2026-11-21 03:05', ['sbg deny', 'rbx deny']],
    ]);
  });

  it("takes the schedule of a job whose ledgers carry none from the topology's jobs (pra audit --topology)", async () => {
    const dir = dirs.make('pra-audit-');
    const topology = writeTopology(dir, aUserTopology('au', 'rfc2136-haproxy-file')); // db.backup: */5 * * * *
    const rbx = writeLedger(dir, 'rbx.log', [
      ...ran('rbx', 'db.backup', '2026-11-21T03:00:00.200Z', '2026-11-21T03:02:00.000Z', '1-1'),
      { ts: '2026-11-21T03:05:00.300Z', site: 'rbx', job: 'db.backup', decision: 'deny', id: '1-2', epoch: 2 },
      ...ran('rbx', 'db.backup', '2026-11-21T03:10:00.200Z', '2026-11-21T03:12:00.000Z', '1-3'),
    ]);
    const without = await pra(['audit', '--ledger', rbx, '--timezone', 'UTC', '--json'], { cwd: dir });
    expect(JSON.parse(without.stdout)).toMatchObject({ missed: [], unscheduledJobs: ['db.backup'] });
    const withTopology = await pra(['audit', '--ledger', rbx, '--timezone', 'UTC', '--topology', topology, '--json'], { cwd: dir });
    const result = JSON.parse(withTopology.stdout) as { missed: { job: string; local: string; schedule: string }[]; unscheduledJobs: string[] };
    expect({ missed: result.missed.map((m) => [m.job, m.local, m.schedule]), unscheduled: result.unscheduledJobs }).toEqual({ missed: [['db.backup', '2026-11-21 03:05', '*/5 * * * *']], unscheduled: [] });
  });

  it('lists a scheduled minute with no guard decision at all as missed', () => {
    const dir = dirs.make('pra-audit-');
    const hourly = '0 * * * *';
    const rbx = writeLedger(dir, 'rbx.log', [
      ...ran('rbx', 'rotate', '2026-11-21T01:00:00.200Z', '2026-11-21T01:00:01.000Z', '1-1', hourly),
      ...ran('rbx', 'rotate', '2026-11-21T03:00:00.200Z', '2026-11-21T03:00:01.000Z', '1-3', hourly),
    ]);
    const result = auditFiles({ ledgers: [rbx], timeZone: 'UTC' });
    expect(result.missed.map((m) => [m.local, m.decisions.length])).toEqual([['2026-11-21 02:00', 0]]);
  });

  it('expects a fixed-time job once on the night a fall-back repeats its hour (Europe/Paris)', () => {
    const dir = dirs.make('pra-audit-');
    const rbx = writeLedger(dir, 'rbx.log', ran('rbx', 'nightly', '2026-10-25T00:30:00.200Z', '2026-10-25T00:31:00.000Z', '1-1', '30 2 * * *'));
    const result = auditFiles({ ledgers: [rbx], timeZone: 'Europe/Paris', from: Date.parse('2026-10-24T22:00:00Z'), to: Date.parse('2026-10-25T03:00:00Z') });
    expect(result.missed).toEqual([]);
  });

  it('expects a */30 job twice in the repeated hour of a fall-back (Europe/Paris)', () => {
    const dir = dirs.make('pra-audit-');
    const rbx = writeLedger(dir, 'rbx.log', ran('rbx', 'poll', '2026-10-25T00:30:00.200Z', '2026-10-25T00:31:00.000Z', '1-1', '*/30 2 * * *'));
    const result = auditFiles({ ledgers: [rbx], timeZone: 'Europe/Paris', from: Date.parse('2026-10-25T00:00:00Z'), to: Date.parse('2026-10-25T02:00:00Z') });
    expect(result.missed.map((m) => new Date(m.minute).toISOString())).toEqual(['2026-10-25T00:00:00.000Z', '2026-10-25T01:00:00.000Z', '2026-10-25T01:30:00.000Z']);
  });

  it('lists the replays the guard marked', () => {
    const dir = dirs.make('pra-audit-');
    const file = writeLedger(dir, 'rbx.log', [
      { ts: '2026-11-21T03:17:05.000Z', site: 'rbx', job: 'nightly', decision: 'replay-deny', id: '1-1', reason: 'replay', schedule: '0 3 * * *' },
    ]);
    const result = auditFiles({ ledgers: [file], timeZone: 'UTC' });
    expect(result.replays.map((r) => [r.job, r.decision, r.where])).toEqual([['nightly', 'replay-deny', `${file}:1`]]);
  });

  it('keeps only the executions that meet the --from/--to window', async () => {
    const dir = dirs.make('pra-audit-');
    const sbg = writeLedger(dir, 'sbg.log', [
      ...ran('sbg', 'a', '2026-11-21T02:00:00.000Z', '2026-11-21T02:00:01.000Z', '1-1'),
      ...ran('sbg', 'a', '2026-11-21T03:00:00.000Z', '2026-11-21T03:00:01.000Z', '1-2'),
    ]);
    const { stdout } = await pra(['audit', '--ledger', sbg, '--from', '2026-11-21 03:30', '--to', '2026-11-21T05:00:00+01:00', '--timezone', 'Europe/Paris'], { cwd: dir });
    expect(stdout).toContain('window: 2026-11-21T02:30:00.000Z -> 2026-11-21T04:00:00.000Z');
    expect(stdout).toContain('executions: 1 of 1 job(s)');
  });

  it('refuses an unknown time zone with exit 2', async () => {
    const dir = dirs.make('pra-audit-');
    const file = writeLedger(dir, 'sbg.log', [ledgerLine({ ts: '2026-11-21T03:00:00.000Z', site: 'sbg', job: 'a', decision: 'deny', id: '1' })]);
    const { code, stderr } = await pra(['audit', '--ledger', file, '--timezone', 'Mars/Olympus'], { cwd: dir });
    expect(code).toBe(2);
    expect(stderr).toContain('--timezone "Mars/Olympus" is not a known IANA time zone');
  });
});
