import { CronScheduleError, cronMatches, isFixedTime, parseCronSchedule, type CronSchedule } from './cron';
import type { LedgerLine, MalformedLine } from './ledger-source';
import { localFields, localMinuteText } from './local-time';

/** A scheduled minute in which the job started on no site: to re-run by hand if it matters. */
export interface MissedExecution {
  readonly job: string;
  readonly schedule: string;
  /** UTC start of the minute, epoch ms. */
  readonly minute: number;
  /** The same minute on the guests' wall clock. */
  readonly local: string;
  /** What the guards decided in that minute (empty: no guard was even asked: VM off, clock step, cron down). */
  readonly decisions: readonly { readonly site: string; readonly host: string; readonly decision: string; readonly reason: string }[];
}

/** A run the guard marked as cron's catch-up of a skipped minute (docs/guard.md, "Replays"). */
export interface MarkedReplay {
  readonly job: string;
  readonly site: string;
  readonly host: string;
  readonly at: number;
  readonly decision: string;
  readonly where: string;
}

const MINUTE = 60_000;

/**
 * Every scheduled minute of every job that has a `schedule=` in the ledgers (or in `declared`, job -> schedule), within [from, to] (whole minutes
 * only: the minute still running at `to` may not be logged yet), in which no guard allowed it on any site.
 * A fixed-time job is expected once in a wall-clock minute that a fall-back repeats, as Vixie cron runs it.
 */
export function findMissed(lines: readonly LedgerLine[], from: number, to: number, timeZone: string, declared: ReadonlyMap<string, string> = new Map()): { missed: MissedExecution[]; malformed: MalformedLine[] } {
  // A schedule the topology declares (already validated) holds for a job these ledgers decide, unless a line says otherwise.
  const decided = new Set(lines.map((l) => l.job));
  const schedules = new Map<string, CronSchedule>([...declared].filter(([job]) => decided.has(job)).map(([job, text]) => [job, parseCronSchedule(text)]));
  const malformed: MalformedLine[] = [];
  for (const line of lines) {
    if (!line.schedule || schedules.get(line.job)?.text === line.schedule) continue;
    try {
      schedules.set(line.job, parseCronSchedule(line.schedule));
    } catch (e) {
      if (!(e instanceof CronScheduleError)) throw e;
      malformed.push({ where: line.where, problem: `schedule=${JSON.stringify(line.schedule)}: ${e.message}` });
    }
  }
  const decisionsByMinute = new Map<string, LedgerLine[]>();
  for (const line of lines) {
    if (line.decision === 'end') continue;
    const key = `${line.job}\n${Math.floor(line.ts.getTime() / MINUTE)}`;
    const decisions = decisionsByMinute.get(key);
    if (decisions) decisions.push(line);
    else decisionsByMinute.set(key, [line]);
  }
  const missed: MissedExecution[] = [];
  const jobs = [...schedules].map(([job, schedule]) => ({ job, schedule, seenLocal: new Set<string>() }));
  for (let minute = Math.floor(from / MINUTE) * MINUTE; jobs.length && minute + MINUTE <= to; minute += MINUTE) {
    // The zone's wall clock is read once a minute, for every job.
    const fields = localFields(minute, timeZone);
    const local = localMinuteText(fields);
    for (const { job, schedule, seenLocal } of jobs) {
      if (!cronMatches(schedule, fields)) continue;
      if (seenLocal.has(local) && isFixedTime(schedule)) continue;
      seenLocal.add(local);
      const decisions = decisionsByMinute.get(`${job}\n${minute / MINUTE}`) ?? [];
      if (decisions.some((d) => d.decision === 'allow' || d.decision === 'replay-allow')) continue;
      missed.push({
        job,
        schedule: schedule.text,
        minute,
        local,
        decisions: decisions.map((d) => ({ site: d.site ?? '', host: d.host, decision: d.decision, reason: d.reason })),
      });
    }
  }
  return { missed: missed.sort((a, b) => a.minute - b.minute || a.job.localeCompare(b.job)), malformed };
}

export function markedReplays(lines: readonly LedgerLine[]): MarkedReplay[] {
  return lines
    .filter((l) => l.decision === 'replay-allow' || l.decision === 'replay-deny')
    .map((l) => ({ job: l.job, site: l.site ?? '', host: l.host, at: l.ts.getTime(), decision: l.decision, where: l.where }));
}
