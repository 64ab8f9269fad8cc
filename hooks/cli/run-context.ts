import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { userInfo } from 'node:os';
import { loadTopology, topologyPath } from '../../topology';
import { authorityFromTopology } from '../drivers/authority/from-topology';
import { autoApprover, remoteApprover, ttyApprover } from '../engine/approvers';
import type { JournalEntry } from '../engine/events';
import type { RunView } from '../engine/execution';
import { readJournal } from '../engine/journal';
import { operate, runStoreOf, type OperationOptions, type PlanSpec } from '../engine/operation';
import type { RunStore } from '../engine/run-store';
import { buildSystems } from '../engine/systems';
import { shown, type Project } from './project';
import { renderer, type RenderMode } from '../engine/render';
import { ExitCode, type CommandContext } from './command';

/** Options shared by the verbs that drive a run (failback, failover, resume, rollback). */
export const runOptions = {
  'auto-approve': { type: 'boolean' },
  json: { type: 'boolean' },
  operator: { type: 'string' },
  'journal-dir': { type: 'string' },
} as const;

/** `--journal-dir`, then $PRA_JOURNAL_DIR, then `.pra/runs`; a relative path is taken from the command's directory. */
export function journalDir(ctx: CommandContext, explicit?: string): string {
  return resolve(ctx.cwd, explicit ?? ctx.env.PRA_JOURNAL_DIR ?? join('.pra', 'runs'));
}

/**
 * Calls `use` with the store of the runs a verb reads: the etcd journal when the topology's authority is
 * etcd (any machine with the topology sees every run), else the journal directory. Without `--topology`,
 * $PRA_TOPOLOGY or the default topology file here, the journal directory.
 */
export async function withRunStore<T>(ctx: CommandContext, values: { topology?: string; 'journal-dir'?: string }, use: (store: RunStore) => Promise<T>): Promise<T> {
  const dir = journalDir(ctx, values['journal-dir']);
  const file = topologyPath(ctx.cwd, ctx.env, values.topology);
  if (values.topology === undefined && !existsSync(file)) return use(runStoreOf({}, dir));
  const authority = authorityFromTopology(loadTopology(file, shown(ctx, file)), ctx.cwd);
  try {
    return await use(runStoreOf(authority, dir));
  } finally {
    await authority.close();
  }
}

export function operatorName(ctx: CommandContext, explicit?: string): string {
  return explicit ?? ctx.env.PRA_OPERATOR ?? userInfo().username;
}

/**
 * The approver and renderer for this terminal, and SIGINT handling: Ctrl-C pauses the run (pausedByOperator,
 * exit 130) after the step in flight stops, instead of killing it mid-call.
 */
function operationOptions(
  ctx: CommandContext,
  values: { 'auto-approve'?: boolean; json?: boolean; operator?: string; 'journal-dir'?: string },
): OperationOptions & { dispose(): void } {
  const operator = operatorName(ctx, values.operator);
  const mode: RenderMode = values.json ? 'json' : ctx.isTTY ? 'tty' : 'plain';
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const approver = values['auto-approve']
    ? autoApprover(operator)
    : ctx.isTTY && !values.json
      ? ttyApprover(process.stdin, ctx.stdout, operator)
      : remoteApprover;
  const dir = journalDir(ctx, values['journal-dir']);
  return {
    journalDir: dir,
    operator,
    approver,
    onEvent: crashInjection(ctx, dir, renderer(mode, ctx.stdout)),
    signal: controller.signal,
    dispose: () => process.removeListener('SIGINT', onSigint),
  };
}

/** What makes an event a new point of progress: its kind and step (a retried or re-started step is not new). */
function boundaryOf(e: JournalEntry): string | undefined {
  if (e.type === 'run.resumed' || e.type === 'step.retried') return undefined;
  if (e.type === 'step.progress') return `${e.type} ${e.step} ${e.message}`;
  return 'step' in e ? `${e.type} ${e.step}` : 'gate' in e ? `${e.type} ${e.gate}` : e.type;
}

/**
 * Drill crash injection: with PRA_CRASH_AT_NEW_BOUNDARY=1 the process SIGKILLs itself right after journaling
 * (fsync'd) the first event that is a point of progress the run's journal did not hold yet. Run after run,
 * the crash walks over every boundary of the run, including those inside a step (after a Zerto call,
 * before its `acted`), and `pra resume` must pick the run up each time.
 */
function crashInjection(ctx: CommandContext, dir: string, onEvent: (e: JournalEntry) => void): (e: JournalEntry) => void {
  if (ctx.env.PRA_CRASH_AT_NEW_BOUNDARY !== '1') return onEvent;
  let known: Set<string> | undefined;
  return (e) => {
    onEvent(e);
    known ??= new Set(readJournal(dir, e.run).filter((x) => x.seq < e.seq).map(boundaryOf).filter((b): b is string => b !== undefined));
    const boundary = boundaryOf(e);
    if (boundary !== undefined && !known.has(boundary)) process.kill(process.pid, 'SIGKILL');
  };
}

/** Exit code of a run as it stands when this process stops driving it. */
function exitCodeOf(view: RunView, interrupted: boolean): number {
  switch (view.state) {
    case 'completed':
    case 'rolledBack':
      return ExitCode.ok;
    case 'pausedByFailedStep':
      return ExitCode.externalFailure;
    case 'pausedByOperator':
      return interrupted ? ExitCode.interrupted : ExitCode.conditionFailed;
    default:
      return ExitCode.externalFailure;
  }
}

/** Drives a run (start, resume or rollback) with this terminal's options, then releases everything. */
export async function driveRun(
  ctx: CommandContext,
  values: Parameters<typeof operationOptions>[1],
  project: Project,
  spec: PlanSpec & { readonly topologyFile: string; readonly stateFile: string },
  action: 'start' | 'resume' | 'rollback',
  runId?: string,
  takeOver?: boolean,
): Promise<number> {
  const options = operationOptions(ctx, values);
  const systems = buildSystems(project, { ...ctx, operator: options.operator });
  try {
    const view = await operate(action, systems, spec, { ...options, runId, takeOver });
    return exitCodeOf(view, options.signal?.aborted ?? false);
  } finally {
    options.dispose();
    await systems.close();
  }
}
