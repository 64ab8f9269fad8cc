import type { RunLockHandle } from '../drivers/authority';
import { RunLockLostError, type EtcdRunLog } from '../drivers/authority/etcd-run-log';
import { describeError, DriverError, PermanentError } from '../drivers/common/errors';
import { withRetry } from '../drivers/common/retry';
import type { JournalEntry, RunEvent } from './events';
import { Journal } from './journal';
import type { RunJournal, RunStore } from './run-store';
import { RunRefusedError } from './runner';

/**
 * Runs journaled in etcd (the shared record every machine reads) with a local copy in `dir` on the machine
 * that drives the run (what it keeps if etcd is lost). etcd is written first: the local copy is always a prefix
 * of the etcd journal, and a copy that is not is refused, never merged.
 */
export function etcdRunStore(log: EtcdRunLog, dir: string): RunStore {
  const read = async (runId: string, afterSeq = 0) => (await log.read(runId, afterSeq)).map((text) => JSON.parse(text) as JournalEntry);
  return {
    description: `${log.description} (local copies in ${dir})`,
    where: (runId) => `${log.description}/${runId}`,
    runIds: () => log.runIds(),
    entries: (runId) => read(runId),
    async open(runId, lock) {
      // The driver keeps a copy; an approval from another machine does not need one.
      const local = lock ? new Journal(dir, runId) : undefined;
      const journal = new EtcdMirroredJournal(runId, log, local, lock, read);
      await journal.attach(local?.entries() ?? []);
      return journal;
    },
  };
}

/**
 * Attempts for about 8 s: longer than an etcd leader election (1 s election timeout by default), short enough
 * that an outage stops the run within seconds rather than minutes (each attempt is bounded by the etcd
 * client's call timeout).
 */
const APPEND_RETRY = { attempts: 6, baseDelayMs: 250, maxDelayMs: 2000, deadlineMs: 8000 };

/**
 * The run cannot journal, so it stops where it is (not retried by the step: the journal is not the step's
 * system); the step in flight is re-checked by the resume.
 */
function journalStopped(runId: string, event: RunEvent, error: unknown): Error {
  if (error instanceof RunLockLostError) return error;
  const system = error instanceof DriverError ? error.system : 'journal';
  const cause = error instanceof DriverError ? error.message.slice(error.system.length + 2) : describeError(error);
  const what = 'step' in event ? `${event.type} ${event.step}` : event.type;
  return new PermanentError(system, `journal of run ${runId}: ${what} not written (${cause}); the run stopped there: resume it with pra resume ${runId} once etcd answers`);
}

class EtcdMirroredJournal implements RunJournal {
  private readonly known: JournalEntry[] = [];

  constructor(
    readonly runId: string,
    private readonly log: EtcdRunLog,
    private readonly local: Journal | undefined,
    private readonly lock: RunLockHandle | undefined,
    private readonly read: (runId: string, afterSeq?: number) => Promise<JournalEntry[]>,
  ) {}

  /** Loads the etcd journal and checks the local copy against it: equal, or a prefix (then completed). */
  async attach(localEntries: readonly JournalEntry[]): Promise<void> {
    const shared = await this.read(this.runId);
    const differs = localEntries.findIndex((entry, i) => i >= shared.length || JSON.stringify(entry) !== JSON.stringify(shared[i]));
    if (differs >= 0) {
      const mine = localEntries[differs];
      const theirs = shared[differs];
      throw new RunRefusedError(
        `run ${this.runId}: the local journal ${this.local?.file} and the etcd journal ${this.log.description} diverge at event ${differs + 1} ` +
          `(local: ${mine.type} at ${mine.ts}; etcd: ${theirs ? `${theirs.type} at ${theirs.ts}` : 'nothing'}); ` +
          'the etcd journal is the record: move the local copy aside (it is evidence) and run the command again',
      );
    }
    this.known.push(...localEntries);
    this.copyLocally(shared.slice(localEntries.length));
  }

  entries(): JournalEntry[] {
    return [...this.known];
  }

  async refresh(): Promise<void> {
    this.copyLocally(await this.read(this.runId, this.known.length));
  }

  async append(event: RunEvent): Promise<JournalEntry> {
    for (;;) {
      const entry = { seq: this.known.length + 1, ts: new Date().toISOString(), run: this.runId, ...event } as JournalEntry;
      const text = JSON.stringify(entry);
      // A leader election or one member down lasts a few seconds: ride it out; an outage stops the run.
      const outcome = await withRetry(() => this.log.append(this.runId, entry.seq, text, this.lock), APPEND_RETRY).catch((error) => {
        throw journalStopped(this.runId, event, error);
      });
      if (outcome === 'appended') {
        this.copyLocally([entry]);
        return entry;
      }
      await this.refresh(); // another machine took this number (an approval): take the next one
    }
  }

  private copyLocally(entries: readonly JournalEntry[]): void {
    for (const entry of entries) {
      // Journal.append numbers and stamps an event; the entry's own seq, ts and run come last and win.
      this.local?.append(entry as RunEvent);
      this.known.push(entry);
    }
  }
}
