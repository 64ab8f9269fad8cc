import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { STATE_DIR, tryPidLock } from '../../testenv/core';

/**
 * Serialises test files that share a simulator's global state (faults, resets, clock skew) across jest
 * workers: call in a describe block's scope; the lock is held from beforeAll to afterAll.
 */
export function exclusive(resource: string): void {
  const file = join(STATE_DIR, `test-lock-${resource}`);
  let held = false;
  beforeAll(async () => {
    while (!tryPidLock(file)) await new Promise((r) => setTimeout(r, 50));
    held = true;
    // As long as the slowest holder and the rest of the queue.
  }, 1_200_000);
  // Only a holder releases: a file that gave up waiting must not free the lock another file holds.
  afterAll(() => {
    if (held) unlinkSync(file);
  });
}
