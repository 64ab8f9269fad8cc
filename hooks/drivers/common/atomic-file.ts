import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces `path` with `text` so that a reader sees the old content or the new one, never a mix,
 * and a crash (even a power loss) leaves one of the two: temp file in the same directory, fsync,
 * rename over the target, then fsync of the directory so the rename itself is on disk.
 */
export function writeFileAtomic(path: string, text: string, mode = 0o644): void {
  const temp = tempNameFor(path);
  writeNewFileSynced(temp, text, mode);
  try {
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  fsyncDirectory(dirname(path));
}

/**
 * Creates `path` with `text`, all or nothing: a reader (or a crash) never sees it empty or half written.
 * The text is written and fsync'd under a temp name, then linked to `path` (which must not exist: EEXIST).
 */
export function createFileAtomic(path: string, text: string, mode = 0o644): void {
  const temp = tempNameFor(path);
  writeNewFileSynced(temp, text, mode);
  try {
    linkSync(temp, path);
  } finally {
    rmSync(temp, { force: true });
  }
  fsyncDirectory(dirname(path));
}

/**
 * Creates `path` (which must not exist) with `text` and fsyncs it; on a failed write the file is
 * removed, so a failure leaves nothing behind.
 */
export function writeNewFileSynced(path: string, text: string, mode = 0o644): void {
  const fd = openSync(path, 'wx', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(path, { force: true });
    throw error;
  }
  closeSync(fd);
}

function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A hidden name next to `path`, unique to this process and call. */
function tempNameFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}
