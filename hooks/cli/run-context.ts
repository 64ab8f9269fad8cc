import { join } from 'node:path';
import { userInfo } from 'node:os';
import { autoApprover, remoteApprover, ttyApprover } from '../engine/approvers';
import type { JournalEntry } from '../engine/events';
import type { RunView } from '../engine/execution';
import type { OperationOptions } from '../engine/operation';
import { renderer, type RenderMode } from '../engine/render';
import { ExitCode, type CommandContext } from './command';

/** Options shared by the verbs that drive a run (failback, failover, resume, rollback). */
export const runOptions = {
  'auto-approve': { type: 'boolean' },
  json: { type: 'boolean' },
  operator: { type: 'string' },
  'journal-dir': { type: 'string' },
} as const;

export function journalDir(ctx: CommandContext, explicit?: string): string {
  return explicit ?? ctx.env.PRA_JOURNAL_DIR ?? join(ctx.cwd, '.pra', 'runs');
}

export function operatorName(ctx: CommandContext, explicit?: string): string {
  return explicit ?? ctx.env.PRA_OPERATOR ?? userInfo().username;
}

/**
 * The approver and renderer for this terminal, and SIGINT handling: Ctrl-C pauses the run (pausedByOperator,
 * exit 130) after the step in flight stops, instead of killing it mid-call.
 */
export function operationOptions(
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
      : remoteApprover(() => undefined);
  return {
    journalDir: journalDir(ctx, values['journal-dir']),
    operator,
    approver,
    onEvent: crashInjection(ctx, renderer(mode, ctx.stdout)),
    signal: controller.signal,
    dispose: () => process.removeListener('SIGINT', onSigint),
  };
}

/**
 * Drill crash injection: with PRA_CRASH_AFTER_EVENTS=N the process SIGKILLs itself right after journaling its
 * Nth event (fsync'd), so tests can stop the engine at every journal boundary in turn and prove `pra resume`.
 */
function crashInjection(ctx: CommandContext, onEvent: (e: JournalEntry) => void): (e: JournalEntry) => void {
  const after = Number(ctx.env.PRA_CRASH_AFTER_EVENTS);
  if (!Number.isInteger(after) || after < 1) return onEvent;
  let seen = 0;
  return (e) => {
    onEvent(e);
    if (++seen >= after) process.kill(process.pid, 'SIGKILL');
  };
}

/** Exit code of a run as it stands when this process stops driving it. */
export function exitCodeOf(view: RunView, interrupted: boolean): number {
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
