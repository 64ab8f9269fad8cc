import { checkRunId } from '../engine/journal';
import { specOf } from '../engine/operation';
import { UsageError, parseOptions, type Command, type CommandContext } from './command';
import { driveRun, journalDir, runOptions } from './run-context';
import { loadProject } from './project';

/** Resume or roll back RUN: the plan is rebuilt from the run's own journal (same topology, same direction). */
async function continueRun(ctx: CommandContext, action: 'resume' | 'rollback'): Promise<number> {
  const { values, positionals } = parseOptions(action, ctx.argv, runOptions);
  const [runId] = positionals;
  if (!runId || positionals.length > 1) throw new UsageError(action, `needs exactly one RUN id (see pra runs)`);
  const spec = specOf(journalDir(ctx, values['journal-dir']), checkRunId(runId));
  // The run's own topology and state files: a topology edited since is validated again (file:line problems).
  const project = loadProject(ctx, { topology: spec.topologyFile, state: spec.stateFile, stateMayBeAbsent: true });
  return driveRun(ctx, values, project, spec, action, runId);
}

export const resumeCommand: Command = {
  name: 'resume',
  summary: 'continue a paused or crashed run: the step in flight is re-checked, never blindly re-done',
  usage: 'pra resume RUN [--auto-approve] [--json] [--operator NAME] [--journal-dir DIR]',
  run: (ctx) => continueRun(ctx, 'resume'),
};

export const rollbackCommand: Command = {
  name: 'rollback',
  summary: 'undo the completed steps of a run in reverse, up to the Zerto commit',
  usage: 'pra rollback RUN [--json] [--operator NAME] [--journal-dir DIR]',
  run: (ctx) => continueRun(ctx, 'rollback'),
};
