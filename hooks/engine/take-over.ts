import { RunRefusedError } from './runner';
import type { JournalEntry } from './events';
import type { RunView } from './execution';

/** Who drives a run: `operator on host`, from its run.started or its latest run.resumed. */
export function lastDriverOf(entries: readonly JournalEntry[]): string {
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i];
    if (e.type === 'run.resumed') return `${e.by} on ${e.host}`;
    if (e.type === 'run.started') return `${e.operator} on ${e.host}`;
  }
  throw new Error('journal does not start with run.started');
}

/**
 * Whether a resume takes the run over from another operator, and from whom. A run that did not pause (its
 * process was killed, or its machine is gone) and was last driven by someone else is only taken with
 * `--take-over`: the run lock proved that driver gone (its lease expired), the flag says the operator knows
 * it, and the journal records who took the run from whom.
 */
export function takeOverOf(view: RunView, entries: readonly JournalEntry[], me: string, takeOver: boolean): string | undefined {
  const driver = lastDriverOf(entries);
  if (driver === me) return undefined;
  const paused = view.state === 'pausedByFailedStep' || view.state === 'pausedByOperator';
  if (!paused && !takeOver) {
    throw new RunRefusedError(
      `run ${view.id} was driven by ${driver} and did not pause (${view.state} since ${view.lastEventAt}): that process died or lost its run lock, ` +
        `which is free now (its lease expired); take the run over with pra resume ${view.id} --take-over (journaled with your name)`,
    );
  }
  return takeOver ? driver : undefined;
}
