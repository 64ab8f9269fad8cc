import { isFinished, replay, type ExecutionState } from '../engine/execution';
import { describeError } from '../drivers/common/errors';
import { CorruptJournalError, journalFile, journalOf, listRuns } from '../engine/journal';
import { ExitCode, UsageError, parseOptions, type Command } from './command';
import { journalDir } from './run-context';

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

/** Every run of the journal directory, oldest first, as its journal replays; the corrupt journals apart. */
export function readRuns(dir: string): { runs: RunSummary[]; unreadable: UnreadableJournal[] } {
  const runs: RunSummary[] = [];
  const unreadable: UnreadableJournal[] = [];
  for (const id of listRuns(dir)) {
    try {
      const view = replay(journalOf(dir, id));
      const current = view.steps.find((s) => s.status === 'inFlight' || s.status === 'failed') ?? view.steps.find((s) => s.status === 'pending');
      runs.push({ id, plan: view.started.plan, operator: view.started.operator, startedAt: view.started.ts, state: view.state, step: current?.id ?? null, lastEventAt: view.lastEventAt });
    } catch (error) {
      unreadable.push({ file: journalFile(dir, id), problem: error instanceof CorruptJournalError ? error.problem : describeError(error) });
    }
  }
  return { runs, unreadable };
}

/** Runs that are neither completed nor rolled back: paused, waiting for approval, or crashed mid-step. */
export function unfinished(runs: readonly RunSummary[]): RunSummary[] {
  return runs.filter((r) => !isFinished(r.state));
}

/** The unfinished runs, for a verb that decides from them: a journal it cannot read is an error, never skipped. */
export function runsInProgress(dir: string): RunSummary[] {
  const { runs, unreadable } = readRuns(dir);
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
  summary: 'list runs with their execution state',
  usage: 'pra runs [--json] [--journal-dir DIR]   (exit 2 when a journal cannot be read: the others are still listed)',
  async run(ctx) {
    const { values, positionals } = parseOptions('runs', ctx.argv, { json: { type: 'boolean' }, 'journal-dir': { type: 'string' } });
    if (positionals.length) throw new UsageError('runs', `takes no arguments, got ${positionals.join(' ')}`);
    const dir = journalDir(ctx, values['journal-dir']);
    const { runs, unreadable } = readRuns(dir);
    if (values.json) ctx.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
    else if (!runs.length) ctx.stdout.write(`no runs in ${dir}\n`);
    else for (const r of runs) ctx.stdout.write(`${r.id}  ${r.state.padEnd(18)} ${r.plan}  by ${r.operator}${r.step ? `  at ${r.step}` : ''}\n`);
    if (!unreadable.length) return ExitCode.ok;
    ctx.stderr.write(`pra: runs: ${unreadable.length} journal(s) cannot be read:\n${describeUnreadable(unreadable).map((l) => `  ${l}`).join('\n')}\n`);
    return ExitCode.usage;
  },
};
