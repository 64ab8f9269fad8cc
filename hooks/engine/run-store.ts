import type { RunLockHandle } from '../drivers/authority';
import type { JournalEntry, RunEvent } from './events';
import { checkRunId, Journal, journalFile, listRuns, readJournal, startedRun } from './journal';
import { InputError } from '../../topology/problems';

/** The journal a runner drives: appends in order, and sees what other machines appended (approvals). */
export interface RunJournal {
  readonly runId: string;
  /** Journals an event; resolves once it is stored for good. */
  append(event: RunEvent): Promise<JournalEntry>;
  /** Every event known to this process, in order. */
  entries(): JournalEntry[];
  /** Catches up with events appended elsewhere since the last call. */
  refresh(): Promise<void>;
}

/**
 * Where runs are journaled: local files (the file authority), or etcd with a local copy (the etcd
 * authority), so that any machine with the topology can list, follow, approve, report and resume a run.
 */
export interface RunStore {
  /** For messages: the journal directory, or the etcd prefix. */
  readonly description: string;
  /** For messages: where one run's journal is (its file, or its etcd prefix). */
  where(runId: string): string;
  runIds(): Promise<string[]>;
  /** A run's events as stored; empty for an unknown run. */
  entries(runId: string): Promise<JournalEntry[]>;
  /**
   * Opens a run's journal to drive it (`lock`: the run lock this process holds) or to append an approval
   * (no lock). Refuses a local copy that disagrees with the shared journal.
   */
  open(runId: string, lock?: RunLockHandle): Promise<RunJournal>;
}

/** The default store: one JSON-lines file per run in `dir` (one operator machine). */
export function localRunStore(dir: string): RunStore {
  return {
    description: dir,
    where: (runId) => journalFile(dir, runId),
    runIds: async () => listRuns(dir),
    entries: async (runId) => readJournal(dir, runId),
    open: async (runId) => localRunJournal(new Journal(dir, runId)),
  };
}

export function localRunJournal(journal: Journal): RunJournal {
  return {
    runId: journal.runId,
    append: async (event) => journal.append(event),
    entries: () => journal.entries(),
    // Other processes append to the same file: entries() reads what they added.
    refresh: async () => undefined,
  };
}

/**
 * The events of a run that must exist and start as a run does: a run id that is not one, or an unknown run, is a
 * usage error naming `pra runs` (exit 2); an empty or misshapen journal is a CorruptJournalError.
 */
export async function runEntries(store: RunStore, runId: string): Promise<JournalEntry[]> {
  const entries = await store.entries(checkRunId(runId));
  if (!entries.length && !(await store.runIds()).includes(runId)) throw new InputError(store.description, [`no run ${runId} in ${store.description}: list runs with pra runs`]);
  return startedRun(store.where(runId), entries);
}
