import { InputError, LineInputError } from '../../topology';
import { parseLedgerLine, type LedgerEntry } from '../guard/ledger';
import type { Execution } from './overlap';

/** A line an audit could not read: counted and shown with file:line, never dropped silently. */
export interface MalformedLine {
  readonly where: string;
  readonly problem: string;
}

export interface LedgerLine extends LedgerEntry {
  /** `file:line` of this line. */
  readonly where: string;
  readonly file: string;
}

/**
 * Reads a guard ledger leniently: every good line is kept, every bad line is reported (the strict grammar is
 * hooks/guard/ledger.ts; one torn line must not hide a whole site's executions).
 */
export function readLedgerText(text: string, file: string): { lines: LedgerLine[]; malformed: MalformedLine[] } {
  const lines: LedgerLine[] = [];
  const malformed: MalformedLine[] = [];
  text.split('\n').forEach((line, index) => {
    if (line === '') return;
    const where = `${file}:${index + 1}`;
    try {
      lines.push({ ...parseLedgerLine(line, where), where, file });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      malformed.push({ where, problem: e instanceof LineInputError ? e.problem : e.lines.join('; ') });
    }
  });
  return { lines, malformed };
}

function isStart(line: LedgerEntry): boolean {
  return line.mode === 'run' && (line.decision === 'allow' || line.decision === 'replay-allow');
}

/**
 * The executions a set of ledger lines shows: an allowed `run` decision line, joined to the `end` line with
 * the same id in the same file (ids are unique per host, and a ledger file is one host's). Executions whose
 * end line is missing (the VM stopped mid-job, or the log ends) stay open: `findOverlaps` closes them at
 * its horizon.
 */
export function executionsFromLedger(lines: readonly LedgerLine[]): Execution[] {
  const ends = new Map<string, LedgerLine>();
  for (const line of lines) if (line.decision === 'end') ends.set(`${line.file}\n${line.id}`, line);
  return lines.filter(isStart).map((line) => ({
    job: line.job,
    site: line.site ?? '',
    host: line.host,
    start: line.ts.getTime(),
    end: ends.get(`${line.file}\n${line.id}`)?.ts.getTime(),
    epoch: line.epoch === undefined ? undefined : String(line.epoch),
    source: line.where,
  }));
}
