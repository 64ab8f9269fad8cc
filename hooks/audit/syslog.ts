import type { MalformedLine } from './ledger-source';
import { instantsOf, localFields } from './local-time';
import type { Execution } from './overlap';

/**
 * Cron's own syslog lines, for guests without the guard (or to cross-check it):
 *   RFC 3164   `Nov 21 03:00:01 web1 CRON[1234]: (root) CMD (/usr/local/bin/sync.sh)` (local time, no year)
 *   RFC 3339   `2026-11-21T03:00:01.123456+01:00 web1 CRON[1234]: (root) CMD (...)` (rsyslog's file format)
 *   RFC 5424   `<78>1 2026-11-21T03:00:01.123+01:00 web1 CRON 1234 - - (root) CMD (...)`
 * A job starts at its `CMD` line; it ends at the `END` line (cron -L 2) or the `pam_unix(cron:session):
 * session closed` line (auth.log) of the same cron child (host and pid). Lines of other programs are skipped;
 * a line that is not syslog at all is malformed.
 */
export interface CronEvent {
  readonly kind: 'start' | 'end';
  readonly at: number;
  readonly host: string;
  readonly pid: string;
  readonly site: string;
  readonly where: string;
  /** Start events: the normalized command, the job's identity. */
  readonly job?: string;
}

export interface SyslogRead {
  readonly events: CronEvent[];
  readonly malformed: MalformedLine[];
  /** CMD lines of commands wrapped by pra-guard: the guard's ledger, not cron, knows whether they ran. */
  readonly guarded: number;
}

export interface SyslogOptions {
  readonly file: string;
  /** The zone RFC 3164 times were written in. */
  readonly timeZone: string;
  /** The site of every host in this file; by default each host is its own site. */
  readonly site?: string;
  /** An instant after the file's last line (its mtime, or --to): RFC 3164 lines carry no year. */
  readonly reference: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const RFC5424 = /^<\d{1,3}>1 (\S+) (\S+) (\S+) (\S+) \S+ (?:-|(?:\[(?:[^\]\\]|\\.)*\])+)(?: (.*))?$/;
const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})) (\S+) ([^\s[:]+)(?:\[(\d+)\])?: ?(.*)$/;
const RFC3164 = /^(?:<\d{1,3}>)?([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\S+) ([^\s[:]+)(?:\[(\d+)\])?: ?(.*)$/;
const CRON_PROGRAMS = new Set(['CRON', 'cron', 'crond']);
const CMD = /^\(([^)]+)\) (CMD|END) \((.*)\)$/;

interface Header {
  readonly at?: number;
  readonly wall?: { month: number; day: number; hour: number; minute: number; second: number };
  readonly host: string;
  readonly program: string;
  readonly pid: string;
  readonly message: string;
}

function header(line: string): Header | undefined {
  let m = RFC5424.exec(line);
  if (m) return { at: Date.parse(m[1]), host: m[2], program: m[3], pid: m[4], message: m[5] ?? '' };
  m = RFC3339.exec(line);
  if (m) return { at: Date.parse(m[1]), host: m[2], program: m[3], pid: m[4] ?? '', message: m[5] };
  m = RFC3164.exec(line);
  if (m && MONTHS.includes(m[1])) {
    return { wall: { month: MONTHS.indexOf(m[1]) + 1, day: +m[2], hour: +m[3], minute: +m[4], second: +m[5] }, host: m[6], program: m[7], pid: m[8] ?? '', message: m[9] };
  }
  return undefined;
}

/** Collapses blanks so that re-indented crontab lines keep their identity. */
export function normalizeCommand(command: string): string {
  return command.trim().replace(/\s+/g, ' ');
}

export function readCronSyslog(text: string, options: SyslogOptions): SyslogRead {
  const parsed: { where: string; h: Header }[] = [];
  const malformed: MalformedLine[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const where = `${options.file}:${index + 1}`;
    const h = header(line);
    if (!h || (h.at !== undefined && Number.isNaN(h.at))) malformed.push({ where, problem: 'not a syslog line (RFC 3164, RFC 3339 or RFC 5424 header expected)' });
    else if (CRON_PROGRAMS.has(h.program)) parsed.push({ where, h });
  });
  const instants = resolveWallTimes(parsed.map((p) => p.h), options);
  const events: CronEvent[] = [];
  let guarded = 0;
  parsed.forEach(({ where, h }, i) => {
    const at = instants[i];
    if (at === undefined) {
      malformed.push({ where, problem: `this local time does not exist in ${options.timeZone} (daylight saving gap)` });
      return;
    }
    const base = { at, host: h.host, pid: h.pid, site: options.site ?? h.host, where };
    const cmd = CMD.exec(h.message);
    if (cmd?.[2] === 'CMD') {
      if (/(^|[\s/])pra-guard (run|check)\b/.test(cmd[3])) guarded++;
      else events.push({ ...base, kind: 'start', job: normalizeCommand(cmd[3]) });
    } else if (cmd?.[2] === 'END' || /pam_unix\(cron:session\): session closed/.test(h.message)) {
      events.push({ ...base, kind: 'end' });
    } else if (/\bCMD \(/.test(h.message)) {
      malformed.push({ where, problem: 'a CRON CMD line without the "(user) CMD (command)" shape' });
    }
  });
  const lineOf = (m: MalformedLine) => Number(m.where.slice(m.where.lastIndexOf(':') + 1));
  return { events, malformed: malformed.sort((a, b) => lineOf(a) - lineOf(b)), guarded };
}

/**
 * RFC 3164 times: the year comes from the reference (the last line is not after it) minus the year ends
 * crossed since each line; a wall time that happened twice (the repeated hour of a fall-back) is the
 * earliest instant not before the previous line (5 minutes of slack for lines logged out of order).
 */
function resolveWallTimes(headers: readonly Header[], options: SyslogOptions): (number | undefined)[] {
  let crossings = 0;
  let lastWall: Header['wall'];
  const yearsBack = headers.map(({ wall }) => {
    if (wall) {
      if (lastWall && wall.month < lastWall.month) crossings++;
      lastWall = wall;
    }
    return crossings;
  });
  const ref = localFields(options.reference, options.timeZone);
  const lastYear = lastWall && (lastWall.month > ref.month || (lastWall.month === ref.month && lastWall.day > ref.day)) ? ref.year - 1 : ref.year;
  let previous = -Infinity;
  return headers.map((h, i) => {
    if (h.at !== undefined) {
      previous = h.at;
      return h.at;
    }
    const year = lastYear - (crossings - yearsBack[i]);
    const candidates = instantsOf({ year, ...h.wall! }, options.timeZone);
    const at = candidates.find((t) => t >= previous - 300_000) ?? candidates[0];
    if (at !== undefined) previous = at;
    return at;
  });
}

/**
 * Pairs starts with ends across every syslog file (syslog and auth.log split one cron child's lines). A start
 * without an end is taken to last until the end of its start minute, cron's own resolution: `assumedEnds`
 * counts them, since a longer job could overlap unseen (the guard's ledger has real end times).
 */
export function executionsFromSyslog(events: readonly CronEvent[]): { executions: Execution[]; assumedEnds: number } {
  const sorted = [...events].sort((a, b) => a.at - b.at);
  const open = new Map<string, CronEvent>();
  const closed = new Map<CronEvent, number>();
  for (const e of sorted) {
    const key = `${e.host}\n${e.pid}`;
    if (e.kind === 'start') open.set(key, e);
    else if (open.has(key)) {
      closed.set(open.get(key)!, e.at);
      open.delete(key);
    }
  }
  const starts = sorted.filter((e) => e.kind === 'start');
  return {
    executions: starts.map((e) => ({ job: e.job!, site: e.site, host: e.host, start: e.at, end: closed.get(e) ?? (Math.floor(e.at / 60_000) + 1) * 60_000, source: e.where })),
    assumedEnds: starts.filter((e) => !closed.has(e)).length,
  };
}
