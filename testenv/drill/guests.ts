import { accessSync, appendFileSync, constants, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { boundedAll } from '../../hooks/drivers/common/concurrency';
import { synthesizeApp } from '../../stacks/app';
import type { CronJob, FailbackState, Topology } from '../../topology';
import { CloudInitError, runCloudConfig } from '../guests/cloud-init';
import { guestRoot, INSTALLED_GUARD } from '../guests/fleet';
import type { GuestJob } from '../guests/guest';
import { synthesizedUserData } from './userdata';

/**
 * The jobs of a role without `jobs` in the topology: short ones every minute, a slow one that a handover must
 * drain. On the drill's compressed clock (a minute per second) they last 0.3 s, 1.2 s and 3.5 s.
 */
export const SYNTHETIC_JOBS: readonly CronJob[] = [
  { name: 'billing', schedule: '* * * * *', durationSeconds: 18 },
  { name: 'invoices', schedule: '0-59/2 * * * *', durationSeconds: 72 },
  { name: 'report', schedule: '0-59/5 * * * *', durationSeconds: 210 },
];

/** Under --load: every job every minute and short, so that the guards run as often as the machine allows. */
const LOAD_JOB_MS = 50;

/** A role's jobs on the drill's compressed clock (durations divided by 60, like the schedule). */
export function guestJobs(topology: Topology, role: string, load = false): GuestJob[] {
  return (topology.jobs[role] ?? SYNTHETIC_JOBS).map((job) =>
    load ? { name: job.name, schedule: '* * * * *', durationMs: LOAD_JOB_MS } : { name: job.name, schedule: job.schedule, durationMs: Math.round((job.durationSeconds * 1000) / 60) },
  );
}

/** The crontab a guest's image carries (its role's jobs), for the userdata's wrap-all to put behind the guard. */
const CRONTAB = 'etc/cron.d/pra-drill-jobs';

function crontabOf(jobs: readonly CronJob[]): string {
  return `# The application's jobs, as the VM image ships them (pra drill)\n${jobs.map((j) => `${j.schedule} root /opt/app/bin/${j.name}`).join('\n')}\n`;
}

export interface InstallOptions {
  readonly dir: string;
  readonly topology: Topology;
  readonly state: FailbackState;
  /** Called between the synthesis and the installation (tests break the synthesized userdata here). */
  readonly afterSynth?: (outdir: string) => void;
}

/**
 * Synthesizes the stacks into `<dir>/cdktf.out` as `pra` would, then installs every VM's guest the way a
 * real VM is installed: its root starts with the image's crontab, and cloud-init runs the
 * `guestinfo.userdata` its site stack declares. A guest whose userdata fails, or leaves no guard or an
 * unguarded crontab behind, fails the drill with the VM and the userdata named. Returns the outdir.
 */
export async function installGuests(options: InstallOptions): Promise<string> {
  const { dir, topology } = options;
  const outdir = join(dir, 'cdktf.out');
  synthesizeApp(topology, options.state, { outdir });
  options.afterSynth?.(outdir);
  const roles = new Map(topology.vms.map((vm) => [vm.name, vm.role]));
  await boundedAll(synthesizedUserData(outdir, topology), 4, async ({ vm, file, text }) => {
    const root = guestRoot(dir, vm);
    mkdirSync(join(root, 'etc/cron.d'), { recursive: true });
    writeFileSync(join(root, CRONTAB), crontabOf(topology.jobs[roles.get(vm)!] ?? SYNTHETIC_JOBS));
    const fail = (why: string) => new Error(`drill: guest ${vm}: its guestinfo.userdata (${file}) ${why}`);
    try {
      await runCloudConfig(text, root, join(dir, 'cloud-init', vm));
    } catch (error) {
      if (error instanceof CloudInitError) throw fail(error.message);
      throw error;
    }
    try {
      accessSync(join(root, INSTALLED_GUARD), constants.X_OK);
    } catch {
      throw fail(`did not install an executable /${INSTALLED_GUARD}`);
    }
    const unguarded = readFileSync(join(root, CRONTAB), 'utf8')
      .split('\n')
      .filter((line) => /^[0-9*]/.test(line) && !line.includes(`/${INSTALLED_GUARD} run `));
    if (unguarded.length) throw fail(`left cron jobs unguarded in /${CRONTAB}: ${unguarded[0]}`);
    // The machine's syslog is not the guest's: the guard's decisions stay in its own ledger.
    appendFileSync(join(root, 'etc/pra/guard.conf'), 'syslog=no\n');
  });
  return outdir;
}
