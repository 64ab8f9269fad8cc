import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../topology';
import { readLedgerText, type MalformedLine } from '../audit/ledger-source';
import { parseExposition } from './textfile';

/**
 * `pra check-stale`: a cron job blocked for too long on the site that holds the cron token. One algorithm
 * over two sources of the same facts: the guard's textfile metrics (one directory per host) or its ledgers
 * (one file per host).
 */
export interface JobFacts {
  lastAllowed?: number;
  lastDenied?: number;
  inFlight: number;
}

export interface HostFacts {
  readonly source: string;
  /** The fence named this host's site at its last decision: it is on the active site. */
  readonly active: boolean;
  readonly jobs: Map<string, JobFacts>;
}

export interface StaleJob {
  readonly job: string;
  readonly hosts: readonly string[];
  readonly lastAllowed?: number;
  readonly lastDenied: number;
  /** Whether no host deciding this job was on the active site (token elsewhere unseen, or at nobody). */
  readonly noActiveHost: boolean;
}

const MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `2h`, `90m`, `45s`, `1d`, or seconds. */
export function parseDuration(option: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(text);
  if (!m || Number(m[1]) <= 0) throw new InputError(option, [`${option} ${JSON.stringify(text)} is not a duration; use e.g. 2h, 90m, 45s`]);
  return Number(m[1]) * MS[(m[2] || 's') as keyof typeof MS];
}

const job = (jobs: Map<string, JobFacts>, name: string): JobFacts => {
  const found = jobs.get(name) ?? { inFlight: 0 };
  jobs.set(name, found);
  return found;
};

/** One host's metrics directory (`pra_guard.prom` and `pra_guard_job_*.prom`). */
export function hostFromMetrics(dir: string): HostFacts {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.startsWith('pra_guard') && f.endsWith('.prom'));
  } catch (e) {
    throw new InputError('--metrics', [`--metrics ${dir}: cannot read it (${(e as NodeJS.ErrnoException).code}); give the guard's metrics_dir`]);
  }
  const jobs = new Map<string, JobFacts>();
  let active = false;
  for (const file of files) {
    for (const s of parseExposition(readFileSync(join(dir, file), 'utf8'), join(dir, file)).samples) {
      if (s.name === 'pra_guard_site_active') active = s.value === 1;
      else if (s.labels.job === undefined) continue;
      else if (s.name === 'pra_guard_last_allowed_timestamp_seconds') job(jobs, s.labels.job).lastAllowed = s.value * 1000;
      else if (s.name === 'pra_guard_last_denied_timestamp_seconds') job(jobs, s.labels.job).lastDenied = s.value * 1000;
      else if (s.name === 'pra_guard_jobs_in_flight') job(jobs, s.labels.job).inFlight = s.value;
    }
  }
  return { source: dir, active, jobs };
}

/** Reasons of decisions taken after the fence let the run through (docs/guard.md, decision rules). */
const PAST_THE_FENCE = new Set(['active', 'replay', 'inflight-unwritable', 'epoch-unwritable', 'overlap', 'no-flock', 'lock-unwritable', 'same-minute', 'minute-unwritable']);

/** One host's guard ledger: its facts as of its last line. */
export function hostFromLedger(file: string, text: string): { host: HostFacts; malformed: MalformedLine[] } {
  const { lines, malformed } = readLedgerText(text, file);
  const jobs = new Map<string, JobFacts>();
  const open = new Map<string, string>();
  let last: { ts: number; active: boolean } | undefined;
  for (const l of [...lines].sort((a, b) => a.ts.getTime() - b.ts.getTime())) {
    const ts = l.ts.getTime();
    const facts = job(jobs, l.job);
    if (l.decision === 'end') {
      if (open.delete(l.id)) facts.inFlight--;
      continue;
    }
    if (l.decision === 'allow' || l.decision === 'replay-allow') {
      facts.lastAllowed = ts;
      if (l.mode === 'run') {
        open.set(l.id, l.job);
        facts.inFlight++;
      }
    } else facts.lastDenied = ts;
    last = { ts, active: PAST_THE_FENCE.has(l.reason.split(':')[0]) };
  }
  return { host: { source: file, active: last?.active ?? false, jobs }, malformed };
}

/**
 * A job is stale when, on the hosts of the active site that decide it (all its hosts when none is
 * active), it was denied after its last allowed run, that run is older than its threshold (or never
 * happened), and no copy of it is running. `maxBlockedMs` is the threshold of every job, or a function
 * giving each job's (undefined: the job is not checked).
 */
export function findStale(hosts: readonly HostFacts[], now: number, maxBlockedMs: number | ((job: string) => number | undefined)): StaleJob[] {
  const names = new Set(hosts.flatMap((h) => [...h.jobs.keys()]));
  const stale: StaleJob[] = [];
  for (const name of [...names].sort()) {
    const threshold = typeof maxBlockedMs === 'number' ? maxBlockedMs : maxBlockedMs(name);
    if (threshold === undefined) continue;
    const deciding = hosts.filter((h) => h.jobs.has(name));
    const active = deciding.filter((h) => h.active);
    const considered = active.length ? active : deciding;
    const facts = considered.map((h) => h.jobs.get(name)!);
    const max = (values: (number | undefined)[]) => values.reduce<number | undefined>((a, v) => (v === undefined ? a : a === undefined ? v : Math.max(a, v)), undefined);
    const lastAllowed = max(facts.map((f) => f.lastAllowed));
    const lastDenied = max(facts.map((f) => f.lastDenied));
    const running = facts.some((f) => f.inFlight > 0);
    if (lastDenied === undefined || running || lastDenied <= (lastAllowed ?? -Infinity)) continue;
    if (lastAllowed !== undefined && now - lastAllowed <= threshold) continue;
    stale.push({ job: name, hosts: considered.map((h) => h.source), lastAllowed, lastDenied, noActiveHost: active.length === 0 });
  }
  return stale;
}
