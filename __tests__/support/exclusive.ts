import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { STATE_DIR } from '../../testenv/core';

/**
 * How long a file waits for the lock: longer than the longest holder (the crash-injection drill, up to ~7 min
 * while other suites load the machine), so that waiting never fails a file.
 */
const WAIT_MS = 900_000;

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
  }, WAIT_MS);
  // Only the holder releases: a file whose wait timed out must not free the lock another file holds.
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
