import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, statSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { JournalEntry, RunEvent } from './events';

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
    mkdirSync(dir, { recursive: true });
    dropTornTail(this.file);
  }

  get file(): string {
    return journalFile(this.dir, this.runId);
  }

  append(event: RunEvent): JournalEntry {
    this.catchUp(); // another process may have appended (an approval) since our last write
    const entry = { seq: this.known.length + 1, ts: new Date().toISOString(), run: this.runId, ...event } as JournalEntry;
    const fd = openSync(this.file, 'a');
    try {
      writeSync(fd, `${JSON.stringify(entry)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
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

/** Whole lines only; a line that is not JSON is corruption. */
function parseLines(text: string, file: string, before: number): JournalEntry[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line) as JournalEntry;
      } catch {
        throw new Error(`journal ${file}: line ${before + i + 1} is not valid JSON; the journal is corrupt, restore it or start a new run`);
      }
    });
}

/** A crash mid-append leaves a partial last line: cut it, so the next append starts on a line of its own. */
function dropTornTail(file: string): void {
  if (!existsSync(file)) return;
  const text = readFileSync(file, 'utf8');
  if (text === '' || text.endsWith('\n')) return;
  truncateSync(file, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1)));
}

export function journalFile(dir: string, runId: string): string {
  return join(dir, `${runId}.jsonl`);
}

/** Reads a journal; a torn last line (crash mid-write) is ignored, a torn middle line is corruption. */
export function readJournal(dir: string, runId: string): JournalEntry[] {
  const file = journalFile(dir, runId);
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  return parseLines(text.slice(0, text.lastIndexOf('\n') + 1), file, 0);
}

/** Reads the journal of a run that must exist; an unknown run names `pra runs`. */
export function journalOf(journalDir: string, runId: string): JournalEntry[] {
  const entries = readJournal(journalDir, runId);
  if (!entries.length) throw new Error(`no run ${runId} in ${journalDir}: list runs with pra runs`);
  return entries;
}

/** Run ids sort by start time: `YYYYMMDDTHHMMSSZ-xxxx`. */
export function listRuns(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => f.slice(0, -'.jsonl'.length))
    .sort();
}

export function newRunId(now: Date, random: () => number = Math.random): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${Math.floor(random() * 0x10000).toString(16).padStart(4, '0')}`;
}
