import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { STATE_DIR } from '../../testenv/core';

/**
 * Serialises test files that share a simulator's global state (faults, resets, clock skew) across jest
 * workers: call in a describe block's scope; the lock is held from beforeAll to afterAll.
 */
export function exclusive(resource: string): void {
  const file = join(STATE_DIR, `test-lock-${resource}`);
  let held = false;
  beforeAll(async () => {
    for (;;) {
      try {
        const fd = openSync(file, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        held = true;
        return;
      } catch {
        if (holderDied(file)) continue;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    // As long as the slowest holder (the drill's crash test takes minutes under load) and the rest of the queue.
  }, 1_200_000);
  // Only a holder releases: a file that gave up waiting must not free the lock another file holds.
  afterAll(() => {
    if (held) unlinkSync(file);
  });
}

/** A worker that crashed never released its lock: take it over when its pid is gone. */
function holderDied(file: string): boolean {
  try {
    process.kill(Number(readFileSync(file, 'utf8')), 0);
    return false;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') return false;
    try {
      unlinkSync(file);
    } catch {
      /* another worker took it over first */
    }
    return true;
  }
}
