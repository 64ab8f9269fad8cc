import { isFinished, replay, type ExecutionState } from '../engine/execution';
import type { RunStore } from '../engine/run-store';
import { ExitCode, parseOptions, type Command } from './command';
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

/** Every run of the store, oldest first, as its journal replays. */
async function runSummaries(store: RunStore): Promise<RunSummary[]> {
  const ids = await store.runIds();
  const journals = await Promise.all(ids.map((id) => store.entries(id)));
  return ids.map((id, i) => {
    const view = replay(journals[i]);
    const current = view.steps.find((s) => s.status === 'inFlight' || s.status === 'failed') ?? view.steps.find((s) => s.status === 'pending');
    return { id, plan: view.started.plan, operator: view.started.operator, startedAt: view.started.ts, state: view.state, step: current?.id ?? null, lastEventAt: view.lastEventAt };
  });
}

/** Runs that are neither completed nor rolled back: paused, waiting for approval, or crashed mid-step. */
export async function runsInProgress(store: RunStore): Promise<RunSummary[]> {
  return (await runSummaries(store)).filter((r) => !isFinished(r.state));
}

/** `pra runs [--json]`: every run in the journal directory with its state, newest last. */
export const runsCommand: Command = {
  name: 'runs',
  summary: 'list runs with their execution state (from etcd, on any machine, with the etcd authority)',
  usage: 'pra runs [--json] [--topology FILE] [--journal-dir DIR]',
  async run(ctx) {
    const { values } = parseOptions('runs', ctx.argv, { json: { type: 'boolean' }, topology: projectOptions.topology, 'journal-dir': { type: 'string' } });
    const { runs, where } = await withRunStore(ctx, values, async (store) => ({ runs: await runSummaries(store), where: store.description }));
    if (values.json) ctx.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
    else if (!runs.length) ctx.stdout.write(`no runs in ${where}\n`);
    else for (const r of runs) ctx.stdout.write(`${r.id}  ${r.state.padEnd(18)} ${r.plan}  by ${r.operator}${r.step ? `  at ${r.step}` : ''}\n`);
    return ExitCode.ok;
  },
};
