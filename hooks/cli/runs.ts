import { isFinished, replay, type ExecutionState } from '../engine/execution';
import { describeError } from '../drivers/common/errors';
import { CorruptJournalError } from '../engine/journal';
import { runEntries, type RunStore } from '../engine/run-store';
import { ExitCode, UsageError, parseOptions, type Command } from './command';
import { projectOptions } from './project';
import { withRunStore } from './run-context';

export interface RunSummary {
  readonly id: string;
  readonly plan: string;
  readonly operator: string;
  readonly startedAt: string;
  readonly state: ExecutionState;
  /** The step in flight, failed, or next to run (null once every step is done). */
  readonly step: string | null;
  readonly lastEventAt: string;
}

/** A journal that cannot be read back: listed apart, so that it hides no other run. */
export interface UnreadableJournal {
  readonly file: string;
  readonly problem: string;
}

/** Every run of the store, oldest first, as its journal replays; the corrupt journals apart. */
export async function readRuns(store: RunStore): Promise<{ runs: RunSummary[]; unreadable: UnreadableJournal[] }> {
  const runs: RunSummary[] = [];
  const unreadable: UnreadableJournal[] = [];
  const ids = await store.runIds();
  const journals = await Promise.allSettled(ids.map((id) => runEntries(store, id)));
  ids.forEach((id, i) => {
    const journal = journals[i];
    try {
      if (journal.status === 'rejected') throw journal.reason;
      const view = replay(journal.value);
      const current = view.steps.find((s) => s.status === 'inFlight' || s.status === 'failed') ?? view.steps.find((s) => s.status === 'pending');
      runs.push({ id, plan: view.started.plan, operator: view.started.operator, startedAt: view.started.ts, state: view.state, step: current?.id ?? null, lastEventAt: view.lastEventAt });
    } catch (error) {
      unreadable.push({ file: store.where(id), problem: error instanceof CorruptJournalError ? error.problem : describeError(error) });
    }
  });
  return { runs, unreadable };
}

/** Runs that are neither completed nor rolled back: paused, waiting for approval, or crashed mid-step. */
export function unfinished(runs: readonly RunSummary[]): RunSummary[] {
  return runs.filter((r) => !isFinished(r.state));
}

/** The unfinished runs, for a verb that decides from them: a journal it cannot read is an error, never skipped. */
export async function runsInProgress(store: RunStore): Promise<RunSummary[]> {
  const { runs, unreadable } = await readRuns(store);
  if (unreadable.length) throw new CorruptJournalError(unreadable[0].file, unreadable[0].problem);
  return unfinished(runs);
}

/** `journal FILE: PROBLEM`, one line per unreadable journal. */
export function describeUnreadable(journals: readonly UnreadableJournal[]): string[] {
  return journals.map((j) => `journal ${j.file}: ${j.problem}; restore it from a copy, or move it out of the journal directory`);
}

/** `pra runs [--json]`: every run in the journal directory with its state, newest last. */
export const runsCommand: Command = {
  name: 'runs',
  summary: 'list runs with their execution state (from etcd, on any machine, with the etcd authority)',
  usage: 'pra runs [--json] [--topology FILE] [--journal-dir DIR]   (exit 2 when a journal cannot be read: the others are still listed)',
  async run(ctx) {
    const { values, positionals } = parseOptions('runs', ctx.argv, { json: { type: 'boolean' }, topology: projectOptions.topology, 'journal-dir': { type: 'string' } });
    if (positionals.length) throw new UsageError('runs', `takes no arguments, got ${positionals.join(' ')}`);
    const { runs, unreadable, where } = await withRunStore(ctx, values, async (store) => ({ ...(await readRuns(store)), where: store.description }));
    if (values.json) ctx.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
    else if (!runs.length) ctx.stdout.write(`no runs in ${where}\n`);
    else for (const r of runs) ctx.stdout.write(`${r.id}  ${r.state.padEnd(18)} ${r.plan}  by ${r.operator}${r.step ? `  at ${r.step}` : ''}\n`);
    if (!unreadable.length) return ExitCode.ok;
    ctx.stderr.write(`pra: runs: ${unreadable.length} journal(s) cannot be read:\n${describeUnreadable(unreadable).map((l) => `  ${l}`).join('\n')}\n`);
    return ExitCode.usage;
  },
};
