import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError } from '../../../topology/problems';
import { DriverError } from './errors';

/** What an errno means for a file the engine writes, and what to do about it. */
const ADVICE: Record<string, string> = {
  ENOSPC: 'the disk is full: free space on it (or write elsewhere), then retry',
  EDQUOT: 'the disk quota is exhausted: free space on it (or write elsewhere), then retry',
  EROFS: 'the filesystem is mounted read-only: remount it read-write (or write elsewhere), then retry',
  EACCES: 'permission denied: run as a user who may write there (or write elsewhere), then retry',
  EPERM: 'permission denied: run as a user who may write there (or write elsewhere), then retry',
  EIO: 'the disk reported an I/O error: check it (dmesg), then retry',
};

/** A local file could not be written: the disk (full, read-only, permissions) failed, not the input. Exit 3. */
export class DiskError extends DriverError {
  constructor(
    readonly path: string,
    /** The errno name (`ENOSPC`); not `code`, so that a DiskError is never mistaken for a raw fs error. */
    readonly errno: string,
  ) {
    super('disk', `cannot write ${path}: ${ADVICE[errno] ?? `${errno}: check the disk and the path, then retry`}`);
  }
}

/** A path that cannot be a file to write: the operator's input is wrong (exit 2), not the disk. */
const BAD_PATH: Record<string, string> = {
  ENOENT: 'its directory does not exist: create it or fix the path',
  ENOTDIR: 'a part of the path is a file, not a directory: fix the path',
  EISDIR: 'it is a directory, not a file: fix the path',
};

/** Runs a write to `path`; an errno becomes a DiskError (or an InputError for a wrong path) saying what to do. */
export function writingTo<T>(path: string, write: () => T): T {
  try {
    return write();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code !== 'string' || !code.startsWith('E')) throw error;
    if (BAD_PATH[code]) throw new InputError(path, [`${path}: cannot write: ${BAD_PATH[code]}`]);
    throw new DiskError(path, code);
  }
}

/**
 * `mkdir -p` that reports the real cause: node's recursive mkdir says ENOENT when the first missing
 * directory sits on a read-only mount. Creates the missing directories one by one from the deepest existing one.
 */
export function ensureDirectory(dir: string): void {
  const missing: string[] = [];
  for (let at = dir; !statSync(at, { throwIfNoEntry: false }); at = dirname(at)) {
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const each of missing) writingTo(each, () => mkdirSync(each));
}
