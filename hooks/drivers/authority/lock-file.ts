import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { writeNewFileSynced } from '../common/atomic-file';
import type { RunLockOwner } from './index';

/**
 * An exclusive lock file, without flock (Node has none): the owner record is written to a private
 * temp file and `link()`ed to the lock path. link() fails with EEXIST when the lock exists, atomically,
 * and the lock appears with its full content (an O_EXCL create would show an empty file to a reader
 * between the create and the write).
 *
 * A lock whose owner pid is dead on this host is stale and taken over, and so is one whose pid now runs another
 * process (a busy host reuses pids within seconds: the owner's start time, from /proc, tells them apart). The takeover renames the lock
 * away and checks it moved exactly the stale one; if a live owner took the lock in between, it is
 * linked back. A lock from another host (a shared file system) is never judged stale automatically.
 */
export interface LockFileOwner extends RunLockOwner {
  /** Unique per acquisition: release removes the lock only if it is still ours. */
  readonly token: string;
  /** When the owner process started (clock ticks since boot, /proc/PID/stat); absent where /proc is not. */
  readonly pidStart?: string;
}

export type LockAttempt = { readonly acquired: true; readonly owner: LockFileOwner } | { readonly acquired: false; readonly owner: LockFileOwner };

export function tryLockFile(path: string, request: { holder: string; reason: string }, now: () => Date = () => new Date()): LockAttempt {
  const owner: LockFileOwner = { ...request, pid: process.pid, pidStart: processStart(process.pid), host: hostname(), since: now().toISOString(), token: randomBytes(12).toString('hex') };
  const temp = `${path}.${owner.token}.tmp`;
  writeNewFileSynced(temp, JSON.stringify(owner) + '\n', 0o644);
  try {
    // Bounded: each pass either takes the lock, reports a live owner, or removed a stale/vanished one.
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(temp, path);
        return { acquired: true, owner };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const current = readOwner(path);
      if (current === undefined) continue; // released between our link and our read
      if (!isStale(current)) return { acquired: false, owner: current };
      takeOverStale(path, current);
    }
    const current = readOwner(path);
    if (current) return { acquired: false, owner: current };
    throw new Error(`lock ${path} keeps changing hands; retry`);
  } finally {
    rmSync(temp, { force: true });
  }
}

/** Removes the lock if it still carries `token`; a lock taken over by someone else is left alone. */
export function unlockFile(path: string, token: string): void {
  if (readOwner(path)?.token === token) rmSync(path, { force: true });
}

function readOwner(path: string): LockFileOwner | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockFileOwner;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function isStale(owner: LockFileOwner): boolean {
  if (owner.host !== hostname()) return false;
  if (!processAlive(owner.pid)) return true;
  const start = owner.pidStart === undefined ? undefined : processStart(owner.pid);
  return start !== undefined && start !== owner.pidStart; // the pid was reused
}

/** The start time of a process (field 22 of /proc/PID/stat, after the command name in parentheses), if readable. */
function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user; only ESRCH means gone.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function takeOverStale(path: string, stale: LockFileOwner): void {
  const moved = `${path}.stale.${process.pid}.${randomBytes(6).toString('hex')}`;
  try {
    renameSync(path, moved);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // another contender removed it first
    throw error;
  }
  try {
    if (readOwner(moved)?.token !== stale.token) {
      // A live owner took the lock between our read and our rename: give it back untouched.
      try {
        linkSync(moved, path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
  } finally {
    rmSync(moved, { force: true });
  }
}
