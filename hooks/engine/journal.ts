import { closeSync, existsSync, fsyncSync, openSync, readdirSync, readFileSync, readSync, statSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../topology/problems';
import { createFileAtomic } from '../drivers/common/atomic-file';
import { ensureDirectory, writingTo } from '../drivers/common/disk';
import type { JournalEntry, RunEvent, RunStartedEvent } from './events';

/**
 * Append-only JSON-lines journal of one run, fsync'd after every event: after a crash the journal holds
 * every event whose append returned. Other processes (`pra approve`) append to the same file; O_APPEND
 * keeps each line whole. The entries are read once and then only what was appended since (by anyone):
 * a run of a few hundred events must not re-parse its whole journal at every event.
 */
export class Journal {
  private readonly known: JournalEntry[] = [];
  /** Bytes of the file already parsed into `known`: always the end of a line. */
  private parsedBytes = 0;
  constructor(
    readonly dir: string,
    readonly runId: string,
  ) {
    journalFile(dir, runId); // refuses a run id that would name a file outside `dir`
    dropTornTail(this.file);
  }

  get file(): string {
    return journalFile(this.dir, this.runId);
  }

  append(event: RunEvent): JournalEntry {
    this.catchUp(); // another process may have appended (an approval) since our last write
    const entry = { seq: this.known.length + 1, ts: new Date().toISOString(), run: this.runId, ...event } as JournalEntry;
    const line = `${JSON.stringify(entry)}\n`;
    writingTo(this.file, () => {
      if (entry.seq === 1 && !existsSync(this.file)) {
        // A run exists once its first event is durable: a full disk leaves no empty journal behind.
        ensureDirectory(this.dir);
        createFileAtomic(this.file, line);
        return;
      }
      const fd = openSync(this.file, 'a');
      try {
        writeSync(fd, line);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    });
    return entry;
  }

  entries(): JournalEntry[] {
    this.catchUp();
    return [...this.known];
  }

  /** Parses what was appended since the last read, by this process or another. */
  private catchUp(): void {
    const size = statSync(this.file, { throwIfNoEntry: false })?.size ?? 0;
    if (size < this.parsedBytes) {
      // Rewritten under us (a test rewinding a run): start over.
      this.known.length = 0;
      this.parsedBytes = 0;
    }
    if (size > this.parsedBytes) {
      const fresh = readFrom(this.file, this.parsedBytes, size - this.parsedBytes);
      const whole = fresh.subarray(0, fresh.lastIndexOf(0x0a) + 1); // a line still being written waits
      this.known.push(...parseLines(whole.toString('utf8'), this.file, this.known.length));
      this.parsedBytes += whole.length;
    }
  }
}

function readFrom(file: string, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  const fd = openSync(file, 'r');
  try {
    return buffer.subarray(0, readSync(fd, buffer, 0, length, position));
  } finally {
    closeSync(fd);
  }
}

/** A journal that cannot be read back: names the file and what is wrong. Bad input, exit 2. */
export class CorruptJournalError extends InputError {
  constructor(
    file: string,
    readonly problem: string,
  ) {
    super(file, [`journal ${file}: ${problem}; the journal is corrupt: restore it from a copy, or start a new run`]);
  }
}

/** Whole lines only; a line that is not a JSON event is corruption. */
function parseLines(text: string, file: string, before: number): JournalEntry[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line, i) => {
      let entry: unknown;
      try {
        entry = JSON.parse(line);
      } catch {
        throw new CorruptJournalError(file, `line ${before + i + 1} is not valid JSON`);
      }
      const e = entry as Partial<JournalEntry> | null;
      if (typeof e !== 'object' || e === null || typeof e.seq !== 'number' || typeof e.type !== 'string') {
        throw new CorruptJournalError(file, `line ${before + i + 1} is not a journal event (an object with seq and type)`);
      }
      return e as JournalEntry;
    });
}

/** A crash mid-append leaves a partial last line: cut it, so the next append starts on a line of its own. */
function dropTornTail(file: string): void {
  if (!existsSync(file)) return;
  const text = readFileSync(file, 'utf8');
  if (text === '' || text.endsWith('\n')) return;
  truncateSync(file, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1)));
}

/** A run id as newRunId makes it: `YYYYMMDDTHHMMSSZ-xxxx`. */
const RUN_ID = /^\d{8}T\d{6}Z-[0-9a-f]{4}$/;

/** Refuses (exit 2) a run id given on a command line that is not one: it never reaches the file system. */
export function checkRunId(runId: string): string {
  if (!RUN_ID.test(runId)) throw new InputError('RUN', [`run id ${JSON.stringify(runId)} is not a run id (YYYYMMDDTHHMMSSZ-xxxx): list runs with pra runs`]);
  return runId;
}

/** The run's journal, always a file directly in `dir`: an id with a path in it is refused. */
export function journalFile(dir: string, runId: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(runId)) throw new InputError('RUN', [`run id ${JSON.stringify(runId)} is not a run id: list runs with pra runs`]);
  return join(dir, `${runId}.jsonl`);
}

/** Reads a journal; a torn last line (crash mid-write) is ignored, a torn middle line is corruption. */
export function readJournal(dir: string, runId: string): JournalEntry[] {
  const file = journalFile(dir, runId);
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  return parseLines(text.slice(0, text.lastIndexOf('\n') + 1), file, 0);
}

/**
 * Reads the journal of a run that must exist and starts as a run does; an unknown run names `pra runs` (exit 2),
 * an empty or misshapen journal is a CorruptJournalError.
 */
export function journalOf(journalDir: string, runId: string): JournalEntry[] {
  const file = journalFile(journalDir, runId);
  if (!existsSync(file)) throw new InputError(journalDir, [`no run ${runId} in ${journalDir}: list runs with pra runs`]);
  return startedRun(file, readJournal(journalDir, runId));
}

/** A run's events, checked to start as a run does: `where` names the journal (a file, or an etcd prefix). */
export function startedRun(where: string, entries: JournalEntry[]): JournalEntry[] {
  if (!entries.length) throw new CorruptJournalError(where, 'it is empty (no event was ever recorded)');
  const first = entries[0] as Partial<RunStartedEvent>;
  if (first.type !== 'run.started' || !Array.isArray(first.steps)) throw new CorruptJournalError(where, 'its first event is not a run.started with the plan\'s steps');
  return entries;
}

/** Run ids sort by start time: `YYYYMMDDTHHMMSSZ-xxxx`. */
export function listRuns(dir: string): string[] {
  const stat = statSync(dir, { throwIfNoEntry: false });
  if (!stat) return [];
  if (!stat.isDirectory()) throw new InputError(dir, [`${dir}: is not a directory: give the journal directory (--journal-dir or PRA_JOURNAL_DIR)`]);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => f.slice(0, -'.jsonl'.length))
    .sort();
}

export function newRunId(now: Date, random: () => number = Math.random): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${Math.floor(random() * 0x10000).toString(16).padStart(4, '0')}`;
}
