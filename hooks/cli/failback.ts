import type { PlanSpec } from '../engine/operation';
import { UsageError, parseOptions, type Command, type CommandContext } from './command';
import { loadProject, projectOptions, type Project } from './project';
import { driveRun, runOptions } from './run-context';

/** The plan a `pra failback|failover --to TO [--force]` means from the current failback state; bad input is a UsageError. */
export function planSpecOf(verb: string, kind: PlanSpec['kind'], project: Project, to: string | undefined, force: boolean): PlanSpec {
  const sites = project.topology.sites.map((s) => s.name);
  if (!to || !sites.includes(to)) throw new UsageError(verb, `--to must name a site of ${project.topology.name}: ${sites.join(' | ')}`);
  const from = project.state.active_site;
  if (from === to) throw new UsageError(verb, `${to} is already the active site (failback state ${project.stateFile})`);
  if (force && kind !== 'failover') throw new UsageError(verb, `--force is for pra failover (a lost site); a ${kind} needs both sites`);
  return { kind, from, to, force };
}

async function startRun(ctx: CommandContext, kind: PlanSpec['kind']): Promise<number> {
  const { values } = parseOptions(kind, ctx.argv, { ...projectOptions, ...runOptions, to: { type: 'string' }, force: { type: 'boolean' }, checks: { type: 'boolean' } });
  if (values.checks && kind !== 'test-failover') throw new UsageError(kind, '--checks is for pra test-failover (the failback always runs its checks)');
  const project = loadProject(ctx, values);
  const spec = { ...planSpecOf(kind, kind, project, values.to, Boolean(values.force)), checks: Boolean(values.checks), topologyFile: project.topologyFile, stateFile: project.stateFile };
  return driveRun(ctx, values, project, spec, 'start');
}

export const failbackCommand: Command = {
  name: 'failback',
  summary: 'bring production back to a recovered site (journaled, resumable, with approvals)',
  usage: 'pra failback --to SITE [--auto-approve] [--json] [--operator NAME] [--topology FILE] [--state FILE] [--journal-dir DIR]',
  run: (ctx) => startRun(ctx, 'failback'),
};

export const failoverCommand: Command = {
  name: 'failover',
  summary: 'disaster: move production to the standby site; --force proceeds without confirmations from the lost site',
  usage: 'pra failover --to SITE [--force] [--auto-approve] [--json] [--operator NAME] [--topology FILE] [--state FILE] [--journal-dir DIR]',
  run: (ctx) => startRun(ctx, 'failover'),
};

export const testFailoverCommand: Command = {
  name: 'test-failover',
  summary: 'the quarterly rehearsal: Zerto Failover Test toward a site, its VMs fenced by the guard, production untouched',
  usage: 'pra test-failover --to SITE [--checks] [--auto-approve] [--json] [--operator NAME] [--topology FILE] [--state FILE] [--journal-dir DIR]',
  run: (ctx) => startRun(ctx, 'test-failover'),
};
