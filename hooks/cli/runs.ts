import { isFinished, replay, type ExecutionState } from '../engine/execution';
import { listRuns, readJournal } from '../engine/journal';
import { ExitCode, parseOptions, type Command } from './command';
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

/** Every run of the journal directory, oldest first, as its journal replays. */
function runSummaries(dir: string): RunSummary[] {
  return listRuns(dir).map((id) => {
    const view = replay(readJournal(dir, id));
    const current = view.steps.find((s) => s.status === 'inFlight' || s.status === 'failed') ?? view.steps.find((s) => s.status === 'pending');
    return { id, plan: view.started.plan, operator: view.started.operator, startedAt: view.started.ts, state: view.state, step: current?.id ?? null, lastEventAt: view.lastEventAt };
  });
}

/** Runs that are neither completed nor rolled back: paused, waiting for approval, or crashed mid-step. */
export function runsInProgress(dir: string): RunSummary[] {
  return runSummaries(dir).filter((r) => !isFinished(r.state));
}

/** `pra runs [--json]`: every run in the journal directory with its state, newest last. */
export const runsCommand: Command = {
  name: 'runs',
  summary: 'list runs with their execution state',
  usage: 'pra runs [--json] [--journal-dir DIR]',
  async run(ctx) {
    const { values } = parseOptions('runs', ctx.argv, { json: { type: 'boolean' }, 'journal-dir': { type: 'string' } });
    const dir = journalDir(ctx, values['journal-dir']);
    const runs = runSummaries(dir);
    if (values.json) ctx.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
    else if (!runs.length) ctx.stdout.write(`no runs in ${dir}\n`);
    else for (const r of runs) ctx.stdout.write(`${r.id}  ${r.state.padEnd(18)} ${r.plan}  by ${r.operator}${r.step ? `  at ${r.step}` : ''}\n`);
    return ExitCode.ok;
  },
};
