import { specOf } from '../engine/operation';
import { UsageError, parseOptions, type Command, type CommandContext } from './command';
import { driveRun, runOptions, withRunStore } from './run-context';
import { loadProject, projectOptions } from './project';

/**
 * Resume or roll back RUN: the plan is rebuilt from the run's own journal (same topology, same direction).
 * From another machine, `--topology` and `--state` name this machine's copies of the run's files.
 */
async function continueRun(ctx: CommandContext, action: 'resume' | 'rollback'): Promise<number> {
  const { values, positionals } = parseOptions(action, ctx.argv, { ...runOptions, ...projectOptions, 'take-over': { type: 'boolean' } });
  const [runId] = positionals;
  if (!runId || positionals.length > 1) throw new UsageError(action, `needs exactly one RUN id (see pra runs)`);
  if (values['take-over'] && action !== 'resume') throw new UsageError(action, '--take-over is for pra resume');
  const spec = await withRunStore(ctx, values, (store) => specOf(store, runId));
  // The run's own topology and state files: a topology edited since is validated again (file:line problems).
  const project = loadProject(ctx, { topology: values.topology ?? spec.topologyFile, state: values.state ?? spec.stateFile, stateMayBeAbsent: values.state === undefined });
  return driveRun(ctx, values, project, { ...spec, topologyFile: project.topologyFile, stateFile: project.stateFile }, action, runId, values['take-over']);
}

export const resumeCommand: Command = {
  name: 'resume',
  summary: 'continue a paused or crashed run: the step in flight is re-checked, never blindly re-done; --take-over a dead operator\'s run',
  usage: 'pra resume RUN [--take-over] [--auto-approve] [--json] [--operator NAME] [--topology FILE] [--state FILE] [--journal-dir DIR]',
  run: (ctx) => continueRun(ctx, 'resume'),
};

export const rollbackCommand: Command = {
  name: 'rollback',
  summary: 'undo the completed steps of a run in reverse, up to the Zerto commit',
  usage: 'pra rollback RUN [--json] [--operator NAME] [--topology FILE] [--state FILE] [--journal-dir DIR]',
  run: (ctx) => continueRun(ctx, 'rollback'),
};
