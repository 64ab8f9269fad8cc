import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { writeFileAtomic } from '../common/atomic-file';
import { ensureDirectory, writingTo } from '../common/disk';
import { TimeoutError } from '../common/errors';
import { realSleep, type Sleep } from '../common/retry';
import { checkNext, parseRecord, RunLockHeldError, StaleEpochError, type ActiveSiteRecord, type Authority, type RunLockHandle, type RunLockRequest } from './index';
import { tryLockFile, unlockFile } from './lock-file';

export interface FileAuthorityConfig {
  /** The record file; its lock files sit next to it (`<path>.lock`, `<path>.run.lock`). */
  readonly path: string;
  /** How long a compare-and-set waits for another writer's short critical section. @default 5000 */
  readonly lockWaitMs?: number;
}

/**
 * The embedded authority for a single operator machine: a JSON file replaced atomically
 * (temp + fsync + rename + directory fsync). Compare-and-set reads, compares and writes under an
 * exclusive lock file, so two processes on this machine cannot both pass the comparison.
 */
export class FileAuthority implements Authority {
  readonly description: string;
  private readonly path: string;
  private readonly system: string;

  constructor(
    private readonly config: FileAuthorityConfig,
    private readonly deps: { sleep?: Sleep; now?: () => Date } = {},
  ) {
    this.path = resolve(config.path);
    this.description = `file ${this.path}`;
    this.system = `authority ${this.description}`;
  }

  async read(): Promise<ActiveSiteRecord | undefined> {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    return parseRecord(this.system, text);
  }

  async compareAndSet(expectedEpoch: number, next: ActiveSiteRecord): Promise<ActiveSiteRecord> {
    checkNext(this.system, expectedEpoch, next);
    ensureDirectory(dirname(this.path));
    const lockPath = `${this.path}.lock`;
    const token = await this.waitForLock(lockPath);
    try {
      const current = await this.read();
      if ((current?.epoch ?? 0) !== expectedEpoch) throw new StaleEpochError(this.system, expectedEpoch, current);
      writingTo(this.path, () => writeFileAtomic(this.path, JSON.stringify(next, null, 2) + '\n'));
      return next;
    } finally {
      unlockFile(lockPath, token);
    }
  }

  async acquireRunLock(request: RunLockRequest): Promise<RunLockHandle> {
    ensureDirectory(dirname(this.path));
    const lockPath = `${this.path}.run.lock`;
    const attempt = writingTo(lockPath, () => tryLockFile(lockPath, request, this.deps.now));
    if (!attempt.acquired) {
      throw new RunLockHeldError(this.system, attempt.owner, `wait for that run to end; if it is dead on another host, remove ${lockPath} by hand`);
    }
    const { token, ...owner } = attempt.owner;
    return {
      owner,
      release: async () => unlockFile(lockPath, token),
      // A local lock file is only lost if someone deletes it; nothing to watch.
      onLost: () => undefined,
    };
  }

  async close(): Promise<void> {}

  /** The write lock is held for a read and a rename: wait briefly for another writer, then give up. */
  private async waitForLock(lockPath: string): Promise<string> {
    const sleep = this.deps.sleep ?? realSleep;
    const deadline = Date.now() + (this.config.lockWaitMs ?? 5000);
    for (;;) {
      const attempt = writingTo(lockPath, () => tryLockFile(lockPath, { holder: 'compare-and-set', reason: 'authority write' }, this.deps.now));
      if (attempt.acquired) return attempt.owner.token;
      if (Date.now() >= deadline) {
        throw new TimeoutError(this.system, `write lock ${lockPath} still held by pid ${attempt.owner.pid} on ${attempt.owner.host} since ${attempt.owner.since}`);
      }
      await sleep(5 + Math.random() * 10);
    }
  }
}
