import { readFileSync, statSync } from 'node:fs';
import { InputError } from '../../topology';
import { executionsFromLedger, readLedgerText, type LedgerLine, type MalformedLine } from './ledger-source';
import { findMissed, markedReplays, type MarkedReplay, type MissedExecution } from './missed';
import { findOverlaps, type Execution, type OverlapReport } from './overlap';
import { executionsFromSyslog, readCronSyslog, type CronEvent } from './syslog';

/**
 * `pra audit`: every execution the guard ledgers (and cron's syslog) of both sites show, the overlaps of one
 * job on two sites (the double-execution window, by findOverlaps), the scheduled minutes nobody ran, and
 * the replays the guard marked.
 */
export interface AuditInput {
  readonly ledgers: readonly string[];
  /** `FILE` or `SITE=FILE` (every host of that file is on SITE; by default each host is its own site). */
  readonly syslogs?: readonly string[];
  /** Job -> five-field schedule, for jobs whose ledger lines carry none (the topology's `jobs`). */
  readonly schedules?: ReadonlyMap<string, string>;
  readonly from?: number;
  readonly to?: number;
  readonly timeZone: string;
}

export interface AuditResult {
  readonly sources: readonly { readonly file: string; readonly kind: 'ledger' | 'syslog'; readonly lines: number }[];
  readonly window: { readonly from: number; readonly to: number } | undefined;
  readonly timeZone: string;
  readonly malformed: readonly MalformedLine[];
  readonly executions: readonly Execution[];
  readonly overlap: OverlapReport;
  readonly missed: readonly MissedExecution[];
  /** Jobs without a schedule in the ledgers: no MISSED list for them. */
  readonly unscheduledJobs: readonly string[];
  readonly replays: readonly MarkedReplay[];
  /** Syslog CMD lines of guarded commands (the ledger decides), and syslog executions whose end was assumed. */
  readonly syslog: { readonly guarded: number; readonly assumedEnds: number };
}

/** The window asked for, else from the first to the last instant the inputs show (a loop: ledgers are long). */
function auditWindow(input: AuditInput, instants: readonly number[]): { from: number; to: number } | undefined {
  let [first, last] = [Infinity, -Infinity];
  for (const t of instants) [first, last] = [Math.min(first, t), Math.max(last, t)];
  const from = input.from ?? (instants.length ? first : undefined);
  const to = input.to ?? (instants.length ? last : undefined);
  return from === undefined || to === undefined ? undefined : { from, to };
}

/** Reads a file named by a command-line option; one that cannot be read is an InputError naming the option (exit 2). */
export function readText(file: string, option: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(option, [`${option} ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give the path of an existing file`]);
  }
}

export function auditFiles(input: AuditInput): AuditResult {
  const malformed: MalformedLine[] = [];
  const sources: { file: string; kind: 'ledger' | 'syslog'; lines: number }[] = [];
  const lines: LedgerLine[] = [];
  for (const file of input.ledgers) {
    const text = readText(file, '--ledger');
    const read = readLedgerText(text, file);
    lines.push(...read.lines);
    malformed.push(...read.malformed);
    sources.push({ file, kind: 'ledger', lines: read.lines.length + read.malformed.length });
  }
  const events: CronEvent[] = [];
  let guarded = 0;
  for (const spec of input.syslogs ?? []) {
    const eq = spec.indexOf('=');
    const [site, file] = eq > 0 && !spec.slice(0, eq).includes('/') ? [spec.slice(0, eq), spec.slice(eq + 1)] : [undefined, spec];
    const text = readText(file, '--syslog');
    const read = readCronSyslog(text, { file, site, timeZone: input.timeZone, reference: input.to ?? statSync(file).mtimeMs });
    events.push(...read.events);
    malformed.push(...read.malformed);
    guarded += read.guarded;
    sources.push({ file, kind: 'syslog', lines: text.split('\n').filter((l) => l.trim() !== '').length });
  }
  const fromSyslog = executionsFromSyslog(events);
  const all = [...executionsFromLedger(lines), ...fromSyslog.executions];
  const window = auditWindow(input, [...lines.map((l) => l.ts.getTime()), ...events.map((e) => e.at), ...all.map((e) => e.end ?? e.start)]);
  const inWindow = window ? all.filter((e) => e.start < window.to && (e.end ?? window.to) > window.from) : [];
  const linesInWindow = window ? lines.filter((l) => l.ts.getTime() >= window.from && l.ts.getTime() <= window.to) : [];
  const missed = window ? findMissed(linesInWindow, window.from, window.to, input.timeZone, input.schedules) : { missed: [], malformed: [] };
  const scheduled = new Set([...lines.filter((l) => l.schedule).map((l) => l.job), ...(input.schedules?.keys() ?? [])]);
  return {
    sources,
    window,
    timeZone: input.timeZone,
    malformed: [...malformed, ...missed.malformed],
    executions: inWindow,
    overlap: findOverlaps(inWindow, window?.to ?? 0),
    missed: missed.missed,
    unscheduledJobs: [...new Set(lines.map((l) => l.job))].filter((j) => !scheduled.has(j)).sort(),
    replays: markedReplays(linesInWindow),
    syslog: { guarded, assumedEnds: fromSyslog.assumedEnds },
  };
}
