import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseExposition, type Exposition } from '../../hooks/monitoring/textfile';
import { eventually } from '../support/eventually';
import { Guest, SHELLS, finished, withGuest } from './guest';

/**
 * The guard's Prometheus textfile metrics (metrics_dir=), read back with the strict exposition parser
 * (hooks/monitoring/textfile.ts), the way node_exporter's textfile collector would read them.
 */
function metricsGuest(guest: Guest, active = 'rbx', epoch = 3): void {
  mkdirSync(guest.path('metrics'));
  guest.atRbx({ metrics_dir: guest.path('metrics') });
  guest.activeSite(active, epoch);
}

function read(guest: Guest, file: string): Exposition {
  return parseExposition(readFileSync(guest.path(`metrics/${file}`), 'utf8'), file);
}

const value = (e: Exposition, name: string, labels: Record<string, string> = {}) =>
  e.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

describe.each(SHELLS)('guard metrics under %s', (shell) => {
  it('records the last allowed run of a job and nothing in flight once it ended', () =>
    withGuest(shell, async (guest) => {
      metricsGuest(guest);
      const before = Date.now() / 1000;
      await guest.run(['run', '--name', 'backup', '--', 'true']);
      const m = read(guest, 'pra_guard_job_backup.prom');
      expect(value(m, 'pra_guard_last_allowed_timestamp_seconds', { job: 'backup' })).toBeGreaterThanOrEqual(Math.floor(before));
      expect(value(m, 'pra_guard_jobs_in_flight', { job: 'backup' })).toBe(0);
      expect(m.types.get('pra_guard_denied_total')).toBe('counter');
    }));

  it('counts denials by reason, without the epoch or the source in the label', () =>
    withGuest(shell, async (guest) => {
      metricsGuest(guest, 'sbg', 4);
      for (let i = 0; i < 3; i++) await guest.run(['run', '--name', 'backup', '--', 'true']);
      const m = read(guest, 'pra_guard_job_backup.prom');
      expect(m.samples.filter((s) => s.name === 'pra_guard_denied_total').map((s) => [s.labels.reason, s.value])).toEqual([['active-elsewhere', 3]]);
      expect(value(m, 'pra_guard_last_allowed_timestamp_seconds')).toBeUndefined();
      expect(value(m, 'pra_guard_last_denied_timestamp_seconds', { job: 'backup' })).toBeGreaterThan(0);
    }));

  it('writes the epoch and whether the fence names this site in the host file', () =>
    withGuest(shell, async (guest) => {
      metricsGuest(guest, 'sbg', 7);
      await guest.run(['check', '--name', 'backup']);
      const host = read(guest, 'pra_guard.prom');
      expect([value(host, 'pra_guard_epoch'), value(host, 'pra_guard_site_active', { site: 'rbx' })]).toEqual([7, 0]);
      guest.activeSite('rbx', 8);
      await guest.run(['check', '--name', 'backup']);
      expect(value(read(guest, 'pra_guard.prom'), 'pra_guard_site_active', { site: 'rbx' })).toBe(1);
    }));

  it('shows a job in flight while it runs', () =>
    withGuest(shell, async (guest) => {
      metricsGuest(guest);
      const child = guest.start(['run', '--name', 'slow', '--', 'sh', '-c', `touch ${guest.path('started')}; exec sleep 30`]);
      const done = finished(child);
      await eventually('the job runs', () => existsSync(guest.path('started')) && existsSync(guest.path('metrics/pra_guard_job_slow.prom')));
      expect(value(read(guest, 'pra_guard_job_slow.prom'), 'pra_guard_jobs_in_flight', { job: 'slow' })).toBe(1);
      child.kill('SIGTERM');
      await done;
      expect(value(read(guest, 'pra_guard_job_slow.prom'), 'pra_guard_jobs_in_flight', { job: 'slow' })).toBe(0);
    }));

  it('uses the same HELP and TYPE for a metric in every file, as the textfile collector requires', () =>
    withGuest(shell, async (guest) => {
      metricsGuest(guest);
      await guest.run(['run', '--name', 'a', '--', 'true']);
      await guest.run(['run', '--name', 'b', '--', 'true']);
      const [a, b] = [read(guest, 'pra_guard_job_a.prom'), read(guest, 'pra_guard_job_b.prom')];
      expect([...a.help]).toEqual([...b.help]);
      expect([...a.types]).toEqual([...b.types]);
    }));

  it('leaves no temporary file behind', () =>
    withGuest(shell, async (guest) => {
      metricsGuest(guest);
      await guest.run(['run', '--name', 'backup', '--', 'true']);
      expect(readdirSync(guest.path('metrics')).sort()).toEqual(['pra_guard.prom', 'pra_guard_job_backup.prom']);
    }));

  it('rewrites a damaged metrics file and still runs the job', () =>
    withGuest(shell, async (guest) => {
      metricsGuest(guest);
      writeFileSync(guest.path('metrics/pra_guard_job_backup.prom'), 'pra_guard_denied_total{job="backup",reason="x y"} abc\ngarbage\n');
      const result = await guest.run(['run', '--name', 'backup', '--', 'sh', '-c', 'exit 7']);
      expect(result.code).toBe(7);
      expect(read(guest, 'pra_guard_job_backup.prom').samples.map((s) => s.name)).toEqual(['pra_guard_last_allowed_timestamp_seconds', 'pra_guard_jobs_in_flight']);
    }));

  it('writes no metrics when metrics_dir is not set', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(1);
      await guest.run(['run', '--name', 'backup', '--', 'true']);
      expect(existsSync(guest.path('metrics'))).toBe(false);
      expect(guest.ledger()[0].decision).toBe('allow');
    }));

  it('denies with config-error when metrics_dir is not an absolute path', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(1, { metrics_dir: 'metrics' });
      await guest.run(['run', '--name', 'backup', '--', 'true']);
      expect(guest.ledger()[0].reason).toBe('config-error');
    }));
});
