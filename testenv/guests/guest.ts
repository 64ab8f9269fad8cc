import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { cronMatches, parseCronSchedule, type CronSchedule } from '../../hooks/audit/cron';
import { localFields } from '../../hooks/audit/local-time';
import { REPO_ROOT } from '../core';

/**
 * One simulated guest's cron daemon, for the drill. It runs a schedule of jobs through the real
 * `pra-guard` (or directly with --no-guard). Time is compressed: one cron "minute" is one second.
 * A job's five-field schedule is matched against that compressed clock: second t of the epoch is minute t,
 * so `* * * * *` runs every second, `0-59/5 * * * *` every 5 s and `0 * * * *` once a minute.
 * The drill freezes the whole process group with SIGSTOP while vCenter shows the VM suspended or off;
 * on SIGCONT the loop sees the clock jump and runs every skipped tick at once, as Debian cron does
 * after a forward clock step (hazard H2).
 */
export interface GuestJob {
  readonly name: string;
  /** Five cron fields, on the compressed clock. */
  readonly schedule: string;
  readonly durationMs: number;
}

export interface GuestOptions {
  readonly vm: string;
  readonly site: string;
  /** The guest's filesystem root for the guard (etc/pra, run/pra-guard, var/log/pra-guard). */
  readonly root: string;
  readonly ledger: string;
  readonly jobs: readonly GuestJob[];
  /** Path of pra-guard; absent = jobs run unguarded (the drill's proof that the measure can fail). */
  readonly guard?: string;
  /** More environment for the guard and the jobs (the VMware Tools stand-in's PATH and guestinfo file, the FIB file). */
  readonly env?: Readonly<Record<string, string>>;
  /** The VM boots for this long before its cron daemon starts (frozen with it while suspended). @default 0 */
  readonly bootMs?: number;
}

/** Debian cron replays a skipped stretch shorter than 3 hours; one cron minute is one second here. */
const MAX_REPLAY_TICKS = 180;
const JOB_SCRIPT = join(REPO_ROOT, 'testenv', 'guests', 'job.sh');

function runJob(opts: GuestOptions, job: GuestJob): void {
  const jobArgs = [JOB_SCRIPT, opts.ledger, opts.site, opts.vm, job.name, String(job.durationMs)];
  const [command, args] = opts.guard ? ['sh', [opts.guard, 'run', '--name', job.name, '--', 'sh', ...jobArgs]] : ['sh', jobArgs];
  const child = spawn(command, args, { stdio: 'ignore', env: { ...process.env, ...opts.env, PRA_GUARD_ROOT: opts.root } });
  child.on('error', () => undefined);
}

function runGuest(opts: GuestOptions): void {
  setTimeout(() => runCron(opts), opts.bootMs ?? 0);
}

/** Debian cron does not replay what was due before it started: the first tick is its start. */
function runCron(opts: GuestOptions): void {
  const schedules = new Map<GuestJob, CronSchedule>(opts.jobs.map((job) => [job, parseCronSchedule(job.schedule)]));
  let lastTick = Math.floor(Date.now() / 1000);
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0); // the drill died without stopping us: so do we
    const tick = Math.floor(Date.now() / 1000);
    const first = Math.max(lastTick + 1, tick - MAX_REPLAY_TICKS + 1);
    for (let t = first; t <= tick; t++) {
      const fields = localFields(t * 60_000, 'UTC'); // compressed second t is minute t of the epoch
      for (const [job, schedule] of schedules) if (cronMatches(schedule, fields)) runJob(opts, job);
    }
    lastTick = Math.max(lastTick, tick);
  }, 50);
}

if (require.main === module) {
  runGuest(JSON.parse(process.argv[2]) as GuestOptions);
}
