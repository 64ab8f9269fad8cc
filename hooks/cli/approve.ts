import { replay } from '../engine/execution';
import { runEntries } from '../engine/run-store';
import { ExitCode, UsageError, parseOptions, type Command } from './command';
import { projectOptions } from './project';
import { operatorName, withRunStore } from './run-context';

/** `pra approve RUN --gate NAME --by WHO --comment TEXT [--decline]`: the four-eyes answer from another terminal. */
export const approveCommand: Command = {
  name: 'approve',
  summary: 'approve (or --decline) a gate a run is waiting on, from any terminal; identity and comment are journaled',
  usage: 'pra approve RUN --gate NAME --comment TEXT [--by WHO] [--decline] [--topology FILE] [--journal-dir DIR]',
  async run(ctx) {
    const { values, positionals } = parseOptions('approve', ctx.argv, {
      gate: { type: 'string' },
      by: { type: 'string' },
      comment: { type: 'string' },
      decline: { type: 'boolean' },
      topology: projectOptions.topology,
      'journal-dir': { type: 'string' },
    });
    const [runId] = positionals;
    if (!runId) throw new UsageError('approve', 'needs the RUN id (see pra runs)');
    if (!values.gate) throw new UsageError('approve', 'needs --gate NAME (the gate the run waits on)');
    if (!values.comment?.trim()) throw new UsageError('approve', 'needs --comment TEXT: it goes in the journal and the report');
    const gate = values.gate;
    const comment = values.comment.trim();
    const by = operatorName(ctx, values.by);
    await withRunStore(ctx, values, async (store) => {
      await runEntries(store, runId);
      const journal = await store.open(runId);
      if (!replay(journal.entries()).approvals.some((a) => a.gate === gate && !a.decision)) {
        throw new UsageError('approve', `run ${runId} is not waiting on gate ${gate}; pra status shows what it waits on`);
      }
      await journal.append({ type: values.decline ? 'approval.declined' : 'approval.given', gate, by, comment });
    });
    ctx.stdout.write(`${values.decline ? 'declined' : 'approved'} ${gate} of run ${runId} as ${by}\n`);
    return ExitCode.ok;
  },
};
