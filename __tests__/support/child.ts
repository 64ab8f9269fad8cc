import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../testenv/core';

/** Starts a compiled helper from `dist/__tests__/support/` (the test command runs tsc first). */
export function startChild(script: string, args: readonly string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [join(REPO_ROOT, 'dist/__tests__/support', `${script}.js`), ...args], { stdio: 'pipe' });
}

/** Resolves with the child's first stdout line; rejects with its stderr if it exits first. */
export function firstLine(child: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const newline = out.indexOf('\n');
      if (newline >= 0) resolve(out.slice(0, newline));
    });
    child.once('exit', (code) => reject(new Error(`child exited with ${code} before a line: ${err}`)));
  });
}

/** Kills the child with SIGKILL (no cleanup handler runs, as in a crash) and waits until it is gone. */
export function killHard(child: ChildProcessWithoutNullStreams): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
