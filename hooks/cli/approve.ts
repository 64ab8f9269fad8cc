import { replay } from '../engine/execution';
import { checkRunId, Journal, journalOf } from '../engine/journal';
import { ExitCode, UsageError, parseOptions, type Command } from './command';
import { journalDir, operatorName } from './run-context';

/** `pra approve RUN --gate NAME --by WHO --comment TEXT [--decline]`: the four-eyes answer from another terminal. */
export const approveCommand: Command = {
  name: 'approve',
  summary: 'approve (or --decline) a gate a run is waiting on, from any terminal; identity and comment are journaled',
  usage: 'pra approve RUN --gate NAME --comment TEXT [--by WHO] [--decline] [--journal-dir DIR]',
  async run(ctx) {
    const { values, positionals } = parseOptions('approve', ctx.argv, {
      gate: { type: 'string' },
      by: { type: 'string' },
      comment: { type: 'string' },
      decline: { type: 'boolean' },
      'journal-dir': { type: 'string' },
    });
    const [runId] = positionals;
    if (!runId) throw new UsageError('approve', 'needs the RUN id (see pra runs)');
    if (!values.gate) throw new UsageError('approve', 'needs --gate NAME (the gate the run waits on)');
    if (!values.comment?.trim()) throw new UsageError('approve', 'needs --comment TEXT: it goes in the journal and the report');
    const dir = journalDir(ctx, values['journal-dir']);
    const pending = replay(journalOf(dir, checkRunId(runId))).approvals.find((a) => a.gate === values.gate && !a.decision);
    if (!pending) throw new UsageError('approve', `run ${runId} is not waiting on gate ${values.gate}; pra status shows what it waits on`);
    const journal = new Journal(dir, runId);
    const by = operatorName(ctx, values.by);
    journal.append({ type: values.decline ? 'approval.declined' : 'approval.given', gate: values.gate, by, comment: values.comment.trim() });
    ctx.stdout.write(`${values.decline ? 'declined' : 'approved'} ${values.gate} of run ${runId} as ${by}\n`);
    return ExitCode.ok;
  },
};
