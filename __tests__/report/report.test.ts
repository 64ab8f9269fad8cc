import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildReport, journalOf, renderReport } from '../../hooks/report';
import { pra } from '../helpers/project';
import { tempDirs } from '../helpers/tmp';
import { JOURNALS, LEDGERS } from './fixtures';

const report = (run: string, ledgers: readonly string[] = []) => buildReport(journalOf(JOURNALS, run), ledgers);

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

describe('the report of a completed failback', () => {
  const r = report('completed', LEDGERS);

  it('sums up direction, operators, duration and the RTO', () => {
    expect(r.run).toMatchObject({ from: 'sbg', to: 'rbx', state: 'completed', operators: ['alice', 'carol'], rtoMinutes: 30, rtoMet: true });
    expect(r.run.totalMs).toBe(Date.parse(r.run.endedAt!) - Date.parse(r.run.startedAt));
  });

  it('has every phase of the plan in order, and a time for every step that ran', () => {
    expect(r.phases.map((p) => p.phase)).toEqual(['preflight', 'restore', 'validation', 'activation', 'switch', 'handover', 'commit']);
    expect(r.steps.filter((s) => s.status === 'succeeded').every((s) => s.startMs !== undefined && s.endMs! >= s.startMs)).toBe(true);
  });

  it('shows who approved each gate, when, and with which comment', () => {
    expect(r.approvals.map((a) => [a.gate, a.decision?.by, a.decision?.comment])).toEqual([
      ['validation', 'carol', 'auto-approved (--auto-approve)'],
      ['activation', 'carol', 'auto-approved (--auto-approve)'],
    ]);
  });

  it('shows the handover epochs and how long no site held the cron token', () => {
    expect(r.handover.fence?.epoch).toBe(2);
    expect(r.handover.grant?.epoch).toBe(3);
    expect(r.handover.tokenNowhereMs).toBe(r.handover.grant!.atMs - r.handover.fence!.atMs);
  });

  it('lists the boot window of each recovered VM', () => {
    expect(r.bootWindows.map((w) => w.vm).sort()).toEqual(['VM-DOCKER-APP-A-RBX', 'VM-MYSQL-APP-A-RBX']);
  });

  it('lists the retry with its step and system, and the post-mortem names that system', () => {
    expect(r.incidents.map((i) => [i.kind, i.step, i.system])).toEqual([['retry', 'restore.checkpoint', 'zerto rbx']]);
    expect(r.postMortem.toImprove).toContain('1 retry on zerto rbx (restore.checkpoint).');
    expect(r.postMortem.actions[0]).toContain('zerto rbx');
  });

  it('measures 0 ms of double execution from the guard ledgers of both sites', () => {
    expect(r.doubleExecution).toMatchObject({ measured: true, windowMs: 0, overlaps: [], malformedLines: 0 });
    expect(r.postMortem.wentWell.some((l) => l.startsWith('Double execution: 0 ms'))).toBe(true);
  });

  it('names the slowest phase in the post-mortem', () => {
    const slowest = [...r.phases].sort((a, b) => b.endMs - b.startMs - (a.endMs - a.startMs))[0];
    expect(r.postMortem.toImprove.some((l) => l.startsWith(`Slowest phase: ${slowest.phase}`))).toBe(true);
  });

  it('renders every section in Markdown', () => {
    const md = renderReport(r, 'md');
    for (const heading of ['## Timeline', '## Approvals', '## Cron handover and epochs', '## Boot windows', '## Retries and faults', '## Double execution', '### What went well', '### Actions']) {
      expect(md).toContain(heading);
    }
    expect(md).toContain('| RTO | 30 min: **met**');
  });
});

describe('the report of a paused then resumed failback', () => {
  const r = report('paused-resumed');

  it('shows the failure, the pause and the resume in order, with the system that failed', () => {
    expect(r.incidents.filter((i) => i.kind !== 'retry').map((i) => [i.kind, i.step, i.system])).toEqual([
      ['failure', 'restore.checkpoint', 'zerto rbx'],
      ['pause', 'restore.checkpoint', undefined],
      ['resume', undefined, undefined],
    ]);
    expect(r.run.operators).toEqual(['alice', 'bob', 'carol']);
    expect(r.run.state).toBe('completed');
  });

  it('pre-fills an action for the cause of the pause', () => {
    expect(r.postMortem.toImprove.some((l) => l.startsWith('Paused at restore.checkpoint'))).toBe(true);
    expect(r.postMortem.actions).toContain('Add a preflight check for the cause of the pause at restore.checkpoint, so it shows before the run starts.');
  });

  it('says double execution was not measured when no ledger is given', () => {
    expect(r.doubleExecution).toEqual({ measured: false });
    expect(renderReport(r, 'md')).toContain('| Double execution | not measured');
  });
});

describe('the report of a rolled-back failback', () => {
  const r = report('rolled-back');

  it('shows the rollback, who asked for it, and the steps undone', () => {
    expect(r.run.state).toBe('rolledBack');
    expect(r.incidents.map((i) => i.kind)).toEqual(['failure', 'pause', 'rollback']);
    expect(r.run.operators).toContain('bob');
    expect(r.steps.filter((s) => s.status === 'undone').length).toBeGreaterThan(0);
    expect(r.postMortem.toImprove[0]).toMatch(/^The run ended rolledBack after /);
  });
});

describe('pra report', () => {
  const RUN = '20261121T030000Z-c0de';
  /** The `completed` fixture in a fresh journal directory, under a run id as pra runs lists them. */
  function journals(): string {
    const dir = dirs.make('pra-report-journals-');
    copyFileSync(join(JOURNALS, 'completed.jsonl'), join(dir, `${RUN}.jsonl`));
    return dir;
  }

  it('writes the JSON report to --out', async () => {
    const dir = dirs.make('pra-report-');
    const { code, stdout } = await pra(['report', RUN, '--journal-dir', journals(), '--format', 'json', '--out', 'r.json'], { cwd: dir });
    expect(code).toBe(0);
    expect(stdout).toContain(`report written to ${join(dir, 'r.json')}`);
    expect(JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')).run.state).toBe('completed');
  });

  it('refuses an unknown format with exit 2', async () => {
    const { code, stderr } = await pra(['report', RUN, '--journal-dir', journals(), '--format', 'pdf'], { cwd: dirs.make('pra-report-') });
    expect(code).toBe(2);
    expect(stderr).toContain('--format "pdf" is not one of md, html, json');
  });

  it('names pra runs when the run does not exist (exit 2)', async () => {
    const { code, stderr } = await pra(['report', '20261121T030000Z-0000', '--journal-dir', journals()], { cwd: dirs.make('pra-report-') });
    expect(code).toBe(2);
    expect(stderr).toContain('no run 20261121T030000Z-0000');
  });

  it('names the directory of an --out path that does not exist (exit 2)', async () => {
    const dir = dirs.make('pra-report-');
    const { code, stderr } = await pra(['report', RUN, '--journal-dir', journals(), '--out', 'no/such/r.md'], { cwd: dir });
    expect(code).toBe(2);
    expect(stderr).toContain(`${join(dir, 'no/such/r.md')}: cannot write: its directory does not exist: create it or fix the path`);
  });
});

describe('the recorded fixtures', () => {
  it('hold no secret of the environment they were recorded in', () => {
    const secrets = Object.entries(process.env).filter(([k, v]) => /PASSWORD|SECRET|TOKEN/.test(k) && k.startsWith('PRA_TESTENV_') && v && v.length >= 6).map(([, v]) => v!);
    expect(secrets.length).toBeGreaterThan(0);
    const files = [...readdirSync(JOURNALS).map((f) => join(JOURNALS, f)), ...LEDGERS];
    const leaks = files.filter((f) => secrets.some((s) => readFileSync(f, 'utf8').includes(s)));
    expect(leaks).toEqual([]);
  });
});
