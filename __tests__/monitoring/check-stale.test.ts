import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { pra, REPO } from '../helpers/project';
import { tempDirs } from '../helpers/tmp';
import { ledgerLine, ran, writeLedger } from '../audit/ledgers';
import { aUserTopology, writeTopology } from '../support/user-topology';

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const NOW = '2026-11-21T12:00:00Z';

function metricsDir(active: 0 | 1, jobs: Record<string, { allowed?: number; denied?: number; inFlight?: number }>): string {
  const dir = dirs.make('pra-stale-metrics-');
  writeFileSync(join(dir, 'pra_guard.prom'), `# TYPE pra_guard_site_active gauge\npra_guard_site_active{site="rbx"} ${active}\n`);
  for (const [job, f] of Object.entries(jobs)) {
    const lines = [
      ...(f.allowed ? [`pra_guard_last_allowed_timestamp_seconds{job="${job}"} ${f.allowed}`] : []),
      ...(f.denied ? [`pra_guard_last_denied_timestamp_seconds{job="${job}"} ${f.denied}`] : []),
      `pra_guard_jobs_in_flight{job="${job}"} ${f.inFlight ?? 0}`,
    ];
    writeFileSync(join(dir, `pra_guard_job_${job}.prom`), `${lines.join('\n')}\n`);
  }
  return dir;
}

const at = (iso: string) => Date.parse(iso) / 1000;

describe('pra check-stale', () => {
  it('flags a job denied for 3 hours on the active site, and exits 1', async () => {
    const dir = metricsDir(1, { backup: { allowed: at('2026-11-21T09:00:00Z'), denied: at('2026-11-21T11:59:00Z') } });
    const { code, stdout } = await pra(['check-stale', '--max-blocked', '2h', '--metrics', dir, '--now', NOW], { cwd: dir });
    expect(code).toBe(1);
    expect(stdout).toContain('STALE backup: last allowed 2026-11-21T09:00:00.000Z, denied since (last 2026-11-21T11:59:00.000Z)');
  });

  it('does not flag a job allowed an hour ago, a running job, or a job only the passive site denies', async () => {
    const active = metricsDir(1, {
      sync: { allowed: at('2026-11-21T11:00:00Z'), denied: at('2026-11-21T11:30:00Z') },
      backup: { allowed: at('2026-11-21T06:00:00Z'), denied: at('2026-11-21T11:59:00Z'), inFlight: 1 },
      nightly: { allowed: at('2026-11-21T03:00:00Z') },
    });
    const passive = metricsDir(0, { nightly: { denied: at('2026-11-21T03:00:01Z') }, sync: { denied: at('2026-11-21T11:59:00Z') } });
    const { code, stdout } = await pra(['check-stale', '--max-blocked', '2h', '--metrics', active, '--metrics', passive, '--now', NOW], { cwd: active });
    expect(stdout).toContain('no job blocked longer than 2h');
    expect(code).toBe(0);
  });

  it('flags every job when no host holds the token and none was allowed for longer than the threshold', async () => {
    const sbg = metricsDir(0, { sync: { allowed: at('2026-11-21T08:00:00Z'), denied: at('2026-11-21T11:59:00Z') } });
    const rbx = metricsDir(0, { sync: { denied: at('2026-11-21T11:59:00Z') } });
    const { code, stdout } = await pra(['check-stale', '--max-blocked', '2h', '--metrics', sbg, '--metrics', rbx, '--now', NOW], { cwd: sbg });
    expect(code).toBe(1);
    expect(stdout).toContain('STALE sync: last allowed 2026-11-21T08:00:00.000Z');
    expect(stdout).toContain('(no host on the active site)');
  });

  it('reads the same facts from the guard ledgers', async () => {
    const dir = dirs.make('pra-stale-ledger-');
    const rbx = writeLedger(dir, 'rbx.log', [
      ...ran('rbx', 'export', '2026-11-21T09:00:00.000Z', '2026-11-21T09:00:05.000Z', '1-1'),
      { ts: '2026-11-21T11:58:00.000Z', site: 'rbx', job: 'export', decision: 'deny', id: '1-2', reason: 'etcd-timeout' },
      ...ran('rbx', 'cleanup', '2026-11-21T11:58:00.000Z', '2026-11-21T11:58:01.000Z', '1-3'),
    ]);
    const { code, stdout } = await pra(['check-stale', '--max-blocked', '2h', '--ledger', rbx, '--now', NOW], { cwd: dir });
    expect(code).toBe(1);
    expect(stdout).toContain('on the active site: ' + rbx);
    expect(stdout).toContain('STALE export: last allowed 2026-11-21T09:00:00.000Z');
    expect(stdout).not.toContain('STALE cleanup');
  });

  it('counts a host whose last run passed the fence but could not raise the epoch memory as on the active site', async () => {
    const dir = dirs.make('pra-stale-ledger-');
    const rbx = writeLedger(dir, 'rbx.log', [
      ...ran('rbx', 'export', '2026-11-21T09:00:00.000Z', '2026-11-21T09:00:05.000Z', '1-1'),
      { ts: '2026-11-21T11:58:00.000Z', site: 'rbx', job: 'export', decision: 'deny', id: '1-2', reason: 'epoch-unwritable' },
    ]);
    const { code, stdout } = await pra(['check-stale', '--max-blocked', '2h', '--ledger', rbx, '--now', NOW], { cwd: dir });
    expect({ code, stdout }).toEqual({ code: 1, stdout: expect.stringContaining('on the active site: ' + rbx) });
  });

  it('refuses a metrics file that breaks the exposition format, naming file:line (exit 2)', async () => {
    const dir = metricsDir(1, {});
    writeFileSync(join(dir, 'pra_guard_job_x.prom'), 'pra_guard_jobs_in_flight{job="x"} one\n');
    const { code, stderr } = await pra(['check-stale', '--max-blocked', '2h', '--metrics', dir], { cwd: dir });
    expect(code).toBe(2);
    expect(stderr).toContain(`${join(dir, 'pra_guard_job_x.prom')}:1: "pra_guard_jobs_in_flight{job=\\"x\\"} one" is not a sample line`);
  });

  it("holds a job of the topology to its own schedule: a minute job blocked 10 minutes is stale, a daily job is not checked", async () => {
    const dir = metricsDir(1, {
      'db.purge': { allowed: at('2026-11-21T11:50:00Z'), denied: at('2026-11-21T11:59:00Z') }, // * * * * *, 12 s: threshold 72 s
      'web.sitemap': { allowed: at('2026-11-21T11:58:00Z'), denied: at('2026-11-21T11:59:00Z') }, // */2 * * * *, 40 s: threshold 160 s
      nightly: { allowed: at('2026-11-20T03:00:00Z'), denied: at('2026-11-21T11:59:00Z') }, // not in the topology
    });
    const topology = writeTopology(dir, aUserTopology('cs', 'rfc2136-haproxy-file'));
    const byTopology = await pra(['check-stale', '--topology', topology, '--metrics', dir, '--now', NOW, '--json'], { cwd: dir });
    expect(byTopology.code).toBe(1);
    const report = JSON.parse(byTopology.stdout) as { stale: { job: string }[]; thresholdsMs: Record<string, number> };
    expect({ stale: report.stale.map((s) => s.job), purge: report.thresholdsMs['db.purge'], sitemap: report.thresholdsMs['web.sitemap'] }).toEqual({ stale: ['db.purge'], purge: 72_000, sitemap: 160_000 });
    const byThreshold = await pra(['check-stale', '--max-blocked', '2h', '--metrics', dir, '--now', NOW], { cwd: dir });
    expect(byThreshold.stdout).not.toContain('STALE db.purge');
    expect(byThreshold.stdout).toContain('STALE nightly');
  });

  it('refuses a run with neither --max-blocked nor --topology (exit 2)', async () => {
    const dir = metricsDir(1, {});
    const { code, stderr } = await pra(['check-stale', '--metrics', dir], { cwd: dir });
    expect(code).toBe(2);
    expect(stderr).toContain('give --max-blocked, e.g. --max-blocked 2h, or the --topology FILE whose jobs have schedules');
  });

  it('refuses a threshold that is not a duration (exit 2)', async () => {
    const dir = dirs.make('pra-stale-');
    const file = writeLedger(dir, 'l.log', [ledgerLine({ ts: '2026-11-21T11:58:00.000Z', site: 'rbx', job: 'a', decision: 'deny', id: '1' })]);
    const { code, stderr } = await pra(['check-stale', '--max-blocked', 'two hours', '--ledger', file], { cwd: dir });
    expect(code).toBe(2);
    expect(stderr).toContain('--max-blocked "two hours" is not a duration');
  });
});

describe('the Prometheus alert rules', () => {
  const rules = parseYaml(readFileSync(join(REPO, 'guard/install/prometheus-rules.yml'), 'utf8')) as { groups: { name: string; rules: { alert: string; expr: string; for?: string }[] }[] };

  it('alert on the metrics the guard writes, and on nothing else', () => {
    const guard = readFileSync(join(REPO, 'guard/pra-guard'), 'utf8');
    const used = new Set(rules.groups.flatMap((g) => g.rules.flatMap((r) => r.expr.match(/pra_guard_[a-z_]+/g) ?? [])));
    expect([...used].filter((name) => !guard.includes(`# TYPE ${name} `))).toEqual([]);
    expect(rules.groups.flatMap((g) => g.rules.map((r) => r.alert))).toEqual(['PraCronJobBlocked', 'PraCronTokenNowhere']);
  });
});
