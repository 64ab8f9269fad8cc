import { localFields, type LocalFields } from './local-time';

/**
 * The five cron time fields, with the semantics of the guard's matcher (guard/pra-guard, `cron_schedule`,
 * which follows Vixie cron): lists, ranges, steps, month and weekday names (in their own field only),
 * Sunday as 0 or 7, `N/step` meaning `N-max/step`, and day-of-month OR day-of-week when both are
 * restricted (AND when either starts with `*`). Keep both in step: the audit's MISSED list must call a
 * minute "scheduled" exactly when the guard would not call a run in it a replay.
 */
export interface CronSchedule {
  readonly text: string;
  readonly minute: ReadonlySet<number>;
  readonly hour: ReadonlySet<number>;
  readonly dayOfMonth: ReadonlySet<number>;
  readonly month: ReadonlySet<number>;
  readonly dayOfWeek: ReadonlySet<number>;
  readonly dayOfMonthStar: boolean;
  readonly dayOfWeekStar: boolean;
}

type Kind = 'num' | 'month' | 'dow';
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const UINT = /^\d{1,18}$/;

export class CronScheduleError extends Error {}

function value(token: string, min: number, max: number, kind: Kind): number {
  const name = token.toLowerCase();
  const n = UINT.test(token) ? Number(token) : kind === 'month' && MONTHS.includes(name) ? MONTHS.indexOf(name) + 1 : kind === 'dow' && DAYS.includes(name) ? DAYS.indexOf(name) : NaN;
  if (!(n >= min && n <= max)) throw new CronScheduleError(`'${token}' out of range ${min}-${max}`);
  return n;
}

function field(text: string, min: number, max: number, kind: Kind): Set<number> {
  if (text === '' || text.startsWith(',') || text.endsWith(',') || text.includes(',,')) throw new CronScheduleError('empty element');
  const values = new Set<number>();
  for (const element of text.split(',')) {
    const slash = element.indexOf('/');
    const [range, stepText] = slash < 0 ? [element, undefined] : [element.slice(0, slash), element.slice(slash + 1)];
    const step = stepText === undefined ? 1 : UINT.test(stepText) ? Number(stepText) : 0;
    if (step === 0) throw new CronScheduleError('bad step');
    let lo: number;
    let hi: number;
    if (range === '*') [lo, hi] = [min, max];
    else if (/^.+-.+$/.test(range)) {
      const dash = range.indexOf('-');
      [lo, hi] = [value(range.slice(0, dash), min, max, kind), value(range.slice(dash + 1), min, max, kind)];
      if (lo > hi) throw new CronScheduleError(`range ${range} is reversed`);
    } else {
      lo = value(range, min, max, kind);
      hi = step === 1 ? lo : max;
    }
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return values;
}

/** Parses `M H DOM MON DOW`; a CronScheduleError names the field, as the guard's message does. */
export function parseCronSchedule(text: string): CronSchedule {
  const parts = text.split(/[ \t]+/).filter((p) => p !== '');
  if (parts.length !== 5) throw new CronScheduleError(`expected 5 time fields, found ${parts.length}`);
  const specs: [string, number, number, Kind][] = [['minute', 0, 59, 'num'], ['hour', 0, 23, 'num'], ['day-of-month', 1, 31, 'num'], ['month', 1, 12, 'month'], ['day-of-week', 0, 7, 'dow']];
  const sets = specs.map(([name, min, max, kind], i) => {
    try {
      return field(parts[i], min, max, kind);
    } catch (e) {
      throw new CronScheduleError(`${name} field '${parts[i]}': ${(e as Error).message}`);
    }
  });
  return {
    text,
    minute: sets[0],
    hour: sets[1],
    dayOfMonth: sets[2],
    month: sets[3],
    dayOfWeek: sets[4],
    dayOfMonthStar: parts[2].startsWith('*'),
    dayOfWeekStar: parts[4].startsWith('*'),
  };
}

/** True when the wall-clock minute `at` is one of the schedule's minutes. */
export function cronMatches(s: CronSchedule, at: LocalFields): boolean {
  if (!s.minute.has(at.minute) || !s.hour.has(at.hour) || !s.month.has(at.month)) return false;
  const dom = s.dayOfMonth.has(at.day);
  const dow = s.dayOfWeek.has(at.weekday) || (at.weekday === 0 && s.dayOfWeek.has(7));
  return s.dayOfMonthStar || s.dayOfWeekStar ? dom && dow : dom || dow;
}

/** A job at fixed wall-clock times (neither minute nor hour a `*`): Vixie cron runs it once in a repeated DST hour. */
export function isFixedTime(s: CronSchedule): boolean {
  const [minute, hour] = s.text.split(/[ \t]+/).filter((p) => p !== '');
  return !minute.startsWith('*') && !hour.startsWith('*');
}

const MINUTE_MS = 60_000;

/**
 * The longest wait between two consecutive runs of `s` (UTC minutes) over the `days` after `from`: how long
 * a healthy job can go without running. Infinity when it runs at most once in that span.
 */
export function longestGapMs(s: CronSchedule, from: number, days = 8): number {
  let previous: number | undefined;
  let longest = 0;
  const start = Math.floor(from / MINUTE_MS) * MINUTE_MS;
  for (let minute = start; minute < start + days * 86_400_000; minute += MINUTE_MS) {
    if (!cronMatches(s, localFields(minute, 'UTC'))) continue;
    if (previous !== undefined) longest = Math.max(longest, minute - previous);
    previous = minute;
  }
  return longest || Infinity;
}
