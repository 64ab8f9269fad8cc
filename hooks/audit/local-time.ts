import { InputError } from '../../topology';

/**
 * Wall-clock time in a named time zone (IANA, e.g. `Europe/Paris`), from Node's ICU: what cron sees on a
 * guest, and what an RFC 3164 syslog line (no offset, no year) was written in.
 */
export interface LocalFields {
  readonly year: number;
  /** 1..12 */
  readonly month: number;
  /** 1..31 */
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** 0 (Sunday)..6 */
  readonly weekday: number;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone, hourCycle: 'h23', weekday: 'short', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
      });
    } catch {
      throw new InputError('--timezone', [`--timezone ${JSON.stringify(timeZone)} is not a known IANA time zone; use e.g. Europe/Paris or UTC`]);
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws an InputError naming the option when `timeZone` is unknown. */
export function checkTimeZone(timeZone: string): string {
  formatter(timeZone);
  return timeZone;
}

export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

export function localFields(ms: number, timeZone: string): LocalFields {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS.indexOf(parts.weekday),
  };
}

/** `2026-10-25 02:30`, a minute's wall-clock fields (`localFields`): how the audit names a scheduled minute. */
export function localMinuteText(f: LocalFields): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${f.year}-${p(f.month)}-${p(f.day)} ${p(f.hour)}:${p(f.minute)}`;
}

type Wall = Omit<LocalFields, 'weekday'> & { readonly ms?: number };

/**
 * The instants at which the zone's clocks showed this wall time: none in a spring-forward gap, two in the
 * repeated hour of a fall-back, else one. Sorted, earliest first.
 */
export function instantsOf(wall: Wall, timeZone: string): number[] {
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second, wall.ms ?? 0);
  const offsets = new Set([-86_400_000, 0, 86_400_000].map((shift) => offsetAt(asUtc + shift, timeZone)));
  return [...offsets]
    .map((offset) => asUtc - offset)
    .filter((t) => {
      const f = localFields(t, timeZone);
      return f.year === wall.year && f.month === wall.month && f.day === wall.day && f.hour === wall.hour && f.minute === wall.minute && f.second === wall.second;
    })
    .sort((a, b) => a - b);
}

/** The zone's offset from UTC at an instant, milliseconds (Paris in summer: +7 200 000). */
function offsetAt(ms: number, timeZone: string): number {
  const f = localFields(ms, timeZone);
  const wallAsUtc = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second);
  return wallAsUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * A time given on the command line: ISO 8601 with `Z` or an offset is absolute; without one
 * (`2026-10-25T02:30` or `2026-10-25 02:30:00`) it is wall time in `timeZone` (the earlier instant when the
 * wall time happened twice).
 */
export function parseTimeOption(option: string, text: string, timeZone: string): number {
  if (/(Z|[+-]\d{2}:\d{2})$/.test(text)) {
    const ms = Date.parse(text);
    if (!Number.isNaN(ms)) return ms;
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text);
  const at = m && instantsOf({ year: +m[1], month: +m[2], day: +m[3], hour: +(m[4] ?? 0), minute: +(m[5] ?? 0), second: +(m[6] ?? 0) }, timeZone)[0];
  if (at === undefined || at === null) {
    throw new InputError(option, [`${option} ${JSON.stringify(text)} is not a time; use ISO 8601 (2026-11-21T03:00:00Z, or 2026-11-21 03:00 in --timezone)`]);
  }
  return at;
}
