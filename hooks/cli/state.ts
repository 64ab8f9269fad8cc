import { join } from 'node:path';
import { applyAssignments } from '../../topology';
import { RunLockHeldError } from '../drivers/authority';
import { authorityFromTopology } from '../drivers/authority/from-topology';
import { changeFailbackState } from '../engine/failback-state';
import { renderJson, renderMarkdown } from '../review';
import { ExitCode, UsageError, parseOptions, type Command, type CommandContext } from './command';
import { describeState, loadProject, projectOptions, shown } from './project';
import { operatorName } from './run-context';

const USAGE = 'pra state show [--json] | pra state set KEY=VALUE... [--json] [--force]   (both: [--topology FILE] [--state FILE])';

/** `pra state show|set`: read or change the failback state; `set` re-synthesizes and prints what changed. */
export const stateCommand: Command = {
  name: 'state',
  summary: 'show the failback state, or set keys (validated, saved atomically, re-synthesized, diff printed)',
  usage: USAGE,
  async run(ctx) {
    const [action, ...rest] = ctx.argv;
    if (action === 'show') return show(ctx, rest);
    if (action === 'set') return set(ctx, rest);
    throw new UsageError('state', `expected show or set, got ${JSON.stringify(action ?? '')}; usage: ${USAGE}`);
  },
};

function show(ctx: CommandContext, argv: readonly string[]): number {
  const { values, positionals } = parseOptions('state show', argv, { ...projectOptions, json: { type: 'boolean' } });
  if (positionals.length) throw new UsageError('state show', `takes no arguments, got ${positionals.join(' ')}`);
  const project = loadProject(ctx, values);
  if (values.json) {
    ctx.stdout.write(`${JSON.stringify({ file: project.stateFile, exists: project.stateFileExists, state: project.state }, null, 2)}\n`);
  } else {
    const origin = project.stateFileExists ? shown(ctx, project.stateFile) : `${shown(ctx, project.stateFile)} absent: defaults`;
    ctx.stdout.write(`${describeState(project.state).split(' ').join('\n')}\n(${origin})\n`);
  }
  return ExitCode.ok;
}

/**
 * Writes under the run lock: a run (even one waiting at a gate) owns the failback state, and a change under it
 * would be overwritten or acted on unseen. Refused (exit 4, naming the run) unless `--force`.
 */
async function set(ctx: CommandContext, argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseOptions('state set', argv, { ...projectOptions, json: { type: 'boolean' }, force: { type: 'boolean' } });
  if (positionals.length === 0) throw new UsageError('state set', 'needs at least one KEY=VALUE, e.g. pra state set enable_failback_pause_mode=true');
  const project = loadProject(ctx, values);
  const next = applyAssignments(project.state, positionals, project.topology);
  const authority = authorityFromTopology(project.topology, ctx.cwd);
  let diff;
  try {
    const lock = values.force ? undefined : await authority.acquireRunLock({ holder: `${operatorName(ctx)} (pra state set)`, reason: `pra state set ${positionals.join(' ')}` });
    try {
      diff = changeFailbackState(project.topology, project.stateFile, join(ctx.cwd, 'cdktf.out'), project.state, next);
    } finally {
      await lock?.release();
    }
  } catch (error) {
    if (!(error instanceof RunLockHeldError)) throw error;
    ctx.stderr.write(`pra: state set: refused: ${error.message}\n  the run owns the failback state until it ends; --force writes anyway\n`);
    return ExitCode.refusedForSafety;
  } finally {
    await authority.close();
  }
  ctx.stdout.write(values.json ? renderJson(diff) : `${renderMarkdown(diff, `pra state set: ${shown(ctx, project.stateFile)} saved, cdktf.out re-synthesized`)}\n`);
  return ExitCode.ok;
}
