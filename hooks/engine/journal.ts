import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, truncateSync, writeSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { JournalEntry, RunEvent } from './events';

/**
 * Append-only JSON-lines journal of one run, fsync'd after every event: after a crash the journal holds
 * every event whose append returned. Other processes (`pra approve`) append to the same file; O_APPEND
 * keeps each line whole.
 */
export class Journal {
  private seq: number;
  constructor(
    readonly dir: string,
    readonly runId: string,
    private readonly clock: () => Date = () => new Date(),
  ) {
    mkdirSync(dir, { recursive: true });
    dropTornTail(this.file);
    this.seq = readJournal(dir, runId).length;
  }

  get file(): string {
    return journalFile(this.dir, this.runId);
  }

  append(event: RunEvent): JournalEntry {
    // Re-read the count: another process may have appended (an approval) since our last write.
    this.seq = Math.max(this.seq, readJournal(this.dir, this.runId).length) + 1;
    const entry = { seq: this.seq, ts: this.clock().toISOString(), run: this.runId, ...event } as JournalEntry;
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
    return readJournal(this.dir, this.runId);
  }
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
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const entries: JournalEntry[] = [];
  lines.forEach((line, i) => {
    try {
      entries.push(JSON.parse(line) as JournalEntry);
    } catch {
      if (i !== lines.length - 1) throw new Error(`journal ${file}: line ${i + 1} is not valid JSON; the journal is corrupt, restore it or start a new run`);
    }
  });
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
