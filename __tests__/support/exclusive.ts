import { join } from 'node:path';
import { tryLockFile, unlockFile } from '../../hooks/drivers/authority/lock-file';
import { STATE_DIR } from '../../testenv/core';

/**
 * Serialises test files that share a simulator's global state (faults, resets, clock skew) across jest
 * workers: call in a describe block's scope; the lock is held from beforeAll to afterAll.
 */
export function exclusive(resource: string): void {
  const file = join(STATE_DIR, `test-lock-${resource}`);
  let token: string | undefined;
  beforeAll(async () => {
    const take = () => tryLockFile(file, { holder: 'test file', reason: resource });
    let attempt = take();
    while (!attempt.acquired) {
      await new Promise((r) => setTimeout(r, 50));
      attempt = take();
    }
    token = attempt.owner.token;
  }, 1_200_000); // as long as the slowest holder and the rest of the queue
  // Only a holder releases: a file that gave up waiting must not free the lock another file holds.
  afterAll(() => {
    if (token) unlockFile(file, token);
  });
}
