import { SITE_OR_NONE } from '../../../topology/schema';
import { PermanentError } from '../common/errors';
import type { EtcdRunLog } from './etcd-run-log';

/**
 * The active-site authority: the one record that says which site may run cron jobs, with an epoch
 * that only grows. Writers compare-and-set on the epoch, so two operators (or a crashed run and its
 * retry) can never both believe they moved the token: the second one is refused and told who holds it.
 */
export interface ActiveSiteRecord {
  /** A site name, or `none` while cron ownership is moving between sites. */
  readonly active: string;
  /** Monotonic fencing token: every change is exactly the previous epoch + 1. */
  readonly epoch: number;
  /** Who decided (operator or run id). */
  readonly by: string;
  /** When, as an ISO 8601 UTC timestamp. */
  readonly at: string;
  readonly reason: string;
}

export interface RunLockRequest {
  /** Who runs (operator and run id), shown to whoever is refused. */
  readonly holder: string;
  readonly reason: string;
}

/** What a lock records about its holder, and what a refused caller is told. */
export interface RunLockOwner extends RunLockRequest {
  readonly pid: number;
  readonly host: string;
  /** ISO 8601 UTC. */
  readonly since: string;
}

export interface RunLockHandle {
  readonly owner: RunLockOwner;
  /** etcd: the lease the lock key is bound to; every event the holder journals in etcd checks it. */
  readonly leaseId?: string;
  /** Releases the lock; idempotent. Never removes a lock someone else took over. */
  release(): Promise<void>;
  /**
   * Calls `listener` if the lock is lost while held (etcd: the lease expired or was revoked).
   * The lock alone is not safety (a paused process may not notice in time): the epoch is.
   */
  onLost(listener: (error: Error) => void): void;
}

export interface Authority {
  /** Where the record lives, for messages: `file .pra/authority.json`, `etcd http://...:2379 /pra/authority`. */
  readonly description: string;
  /** The current record; `undefined` when none was ever written (epoch 0). */
  read(): Promise<ActiveSiteRecord | undefined>;
  /**
   * Writes `next` only if the stored epoch is still `expectedEpoch` (0: nothing stored yet), and
   * returns it. `next.epoch` must be `expectedEpoch + 1`. A stale expectation throws `StaleEpochError`.
   */
  compareAndSet(expectedEpoch: number, next: ActiveSiteRecord): Promise<ActiveSiteRecord>;
  /** The run lock: one failback at a time. Refused at once with `RunLockHeldError`, never waits. */
  acquireRunLock(request: RunLockRequest): Promise<RunLockHandle>;
  /** Where the runs' journals are shared between operator machines (etcd backend); absent: local files only. */
  readonly runLog?: EtcdRunLog;
  close(): Promise<void>;
}

/** The stored epoch moved on since the caller read it: someone else decided. Re-read and decide again. */
export class StaleEpochError extends PermanentError {
  constructor(
    system: string,
    readonly expectedEpoch: number,
    readonly current: ActiveSiteRecord | undefined,
  ) {
    super(
      system,
      current
        ? `expected epoch ${expectedEpoch} but the record is at epoch ${current.epoch} (active=${current.active}, by ${current.by} at ${current.at}: ${current.reason}); re-read the authority and decide again`
        : `expected epoch ${expectedEpoch} but no record exists (epoch 0); re-read the authority and decide again`,
    );
  }
}

/** Another run holds the run lock. */
export class RunLockHeldError extends PermanentError {
  constructor(
    system: string,
    readonly owner: RunLockOwner,
    howToClear: string,
  ) {
    super(system, `run lock held by ${owner.holder} (pid ${owner.pid} on ${owner.host}) since ${owner.since}: ${owner.reason}; ${howToClear}`);
  }
}

/** A site name as the topology allows it, or `none`. */
export { SITE_OR_NONE };

/** Checks a record read from a backend; a damaged one is refused, never guessed at. */
export function parseRecord(system: string, text: string): ActiveSiteRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new PermanentError(system, 'the stored record is not JSON; restore it from the journal or the last known decision');
  }
  const problem = recordProblem(value);
  if (problem) throw new PermanentError(system, `the stored record is invalid (${problem}); restore it from the journal or the last known decision`);
  const { active, epoch, by, at, reason } = value as ActiveSiteRecord;
  return { active, epoch, by, at, reason };
}

/** Refuses a `next` record that does not follow `expectedEpoch` or is malformed: a caller bug, never retried. */
export function checkNext(system: string, expectedEpoch: number, next: ActiveSiteRecord): void {
  const problem = recordProblem(next) ?? (next.epoch !== expectedEpoch + 1 ? `next epoch ${next.epoch} must be expected epoch ${expectedEpoch} + 1` : undefined);
  if (problem) throw new PermanentError(system, `refusing to write the record: ${problem}`);
}

function recordProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not an object';
  const r = value as Record<string, unknown>;
  if (typeof r.active !== 'string' || !SITE_OR_NONE.test(r.active)) return `active ${JSON.stringify(r.active)} is not a site name or none`;
  if (typeof r.epoch !== 'number' || !Number.isSafeInteger(r.epoch) || r.epoch < 1) return `epoch ${JSON.stringify(r.epoch)} is not a positive integer`;
  for (const field of ['by', 'at', 'reason'] as const) {
    if (typeof r[field] !== 'string') return `${field} is not a string`;
  }
  if (Number.isNaN(Date.parse(r.at as string))) return `at ${JSON.stringify(r.at)} is not a timestamp`;
  return undefined;
}
