import { lineProblem as problem } from '../../topology';

/**
 * The guard's ledger (guard/pra-guard, grammar in docs/guard.md): one line per event, TAB-separated
 * `key=value` fields. A run writes one decision line and, when the job started, one `end` line with the
 * same `id`. This parser is strict: a line that breaks the grammar is an InputError naming file:line.
 */

export const GUARD_DECISIONS = ['allow', 'deny', 'replay-allow', 'replay-deny', 'end'] as const;
export type GuardDecision = (typeof GUARD_DECISIONS)[number];

export interface LedgerEntry {
  /** UTC instant with milliseconds, as written (`2026-11-21T03:00:00.123Z`). */
  readonly ts: Date;
  readonly host: string;
  /** The guard's idea of this VM's site; undefined when it was unknown (always a deny). */
  readonly site?: string;
  readonly job: string;
  readonly decision: GuardDecision;
  /** The highest valid epoch the sources showed; undefined when none answered. */
  readonly epoch?: number;
  readonly reason: string;
  /** The guard's pid. */
  readonly pid: number;
  /** Per-execution id: joins an `end` line to its decision line (unique per host). */
  readonly id: string;
  readonly mode: 'run' | 'check';
  readonly schedule?: string;
  /** `end` lines only. */
  readonly durationMs?: number;
  readonly exit?: number;
  readonly jobPid?: number;
  /** `end` lines of a guard that received a signal: its number. */
  readonly signal?: number;
  /** Every field as written, including ones this version does not know. */
  readonly fields: Readonly<Record<string, string>>;
}

const KEY = /^[a-z_]+$/;
const TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UINT = /^\d+$/;

function uint(fields: Record<string, string>, key: string, where: string, required: boolean): number | undefined {
  const text = fields[key];
  if (text === undefined || text === '') {
    return required ? problem(where, `field ${key} is missing; every guard ledger line has it`) : undefined;
  }
  if (!UINT.test(text)) problem(where, `field ${key}=${JSON.stringify(text)} is not a whole number`);
  return Number(text);
}

/** Parses one ledger line (without its newline); `where` names it in errors (`file:line`). */
export function parseLedgerLine(line: string, where = 'ledger'): LedgerEntry {
  const fields: Record<string, string> = {};
  for (const field of line.split('\t')) {
    const eq = field.indexOf('=');
    const key = eq < 0 ? field : field.slice(0, eq);
    if (eq < 0 || !KEY.test(key)) problem(where, `${JSON.stringify(field)} is not a key=value field`);
    if (key in fields) problem(where, `field ${key} appears twice`);
    fields[key] = field.slice(eq + 1);
  }
  const text = (key: string): string => fields[key] ?? problem(where, `field ${key} is missing; every guard ledger line has it`);
  if (!TS.test(text('ts'))) problem(where, `ts=${JSON.stringify(fields.ts)} is not a UTC timestamp with milliseconds`);
  const decision = text('decision') as GuardDecision;
  if (!GUARD_DECISIONS.includes(decision)) problem(where, `decision=${JSON.stringify(decision)} is not one of ${GUARD_DECISIONS.join(', ')}`);
  const mode = text('mode');
  if (mode !== 'run' && mode !== 'check') problem(where, `mode=${JSON.stringify(mode)} is not run or check`);
  const end = decision === 'end';
  return {
    ts: new Date(fields.ts),
    host: text('host'),
    site: text('site') || undefined,
    job: text('job'),
    decision,
    epoch: uint(fields, 'epoch', where, false),
    reason: text('reason'),
    pid: uint(fields, 'pid', where, true)!,
    id: text('id'),
    mode,
    schedule: fields.schedule || undefined,
    durationMs: uint(fields, 'duration_ms', where, end),
    exit: uint(fields, 'exit', where, end),
    jobPid: uint(fields, 'job_pid', where, end),
    signal: uint(fields, 'signal', where, false),
    fields,
  };
}

/** Parses a whole ledger file's text; `source` names the file in errors. */
export function parseLedger(text: string, source = 'ledger'): LedgerEntry[] {
  return text
    .split('\n')
    .map((line, index) => ({ line, where: `${source}:${index + 1}` }))
    .filter(({ line }) => line !== '')
    .map(({ line, where }) => parseLedgerLine(line, where));
}
