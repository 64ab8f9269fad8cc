import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { InputError } from '../../topology';

/**
 * The project's input files as they are at a git revision, copied into a temporary directory with
 * `git show` (object reads only: the working tree and the index are never touched, no lock is taken).
 */
export interface BaseCheckout {
  readonly ref: string;
  readonly commit: string;
  /** Per requested file: how to name it (`REF:path`) and its copy in the temporary directory (absent at `ref`: none). */
  readonly files: ReadonlyMap<string, { readonly shown: string; readonly copy?: string }>;
  dispose(): void;
}

function git(cwd: string, args: readonly string[]): string {
  return execFileSync('git', ['--no-optional-locks', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
}

function baseError(ref: string, message: string): InputError {
  return new InputError(`--base ${ref}`, [`pra diff --base ${ref}: ${message}`]);
}

/** The commit `ref` names in the repository holding `cwd`; an unknown ref or no repository is an InputError (exit 2). */
function resolveCommit(cwd: string, ref: string): { root: string; commit: string } {
  let root: string;
  try {
    root = git(cwd, ['rev-parse', '--show-toplevel']).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw baseError(ref, 'git is not installed (or not on PATH): install git');
    throw baseError(ref, `${cwd} is not in a git repository: run pra diff --base from a clone of the project`);
  }
  try {
    return { root, commit: git(root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]).trim() };
  } catch {
    throw baseError(ref, 'unknown revision: name a branch, tag or commit of this repository (in CI fetch it first, e.g. git fetch origin main)');
  }
}

/** Copies `files` (absolute paths inside the repository) as they are at `ref` into a temporary directory. */
export function checkoutBase(cwd: string, ref: string, files: readonly string[]): BaseCheckout {
  const { root, commit } = resolveCommit(cwd, ref);
  const dir = mkdtempSync(join(tmpdir(), 'pra-diff-base-'));
  const dispose = () => rmSync(dir, { recursive: true, force: true });
  try {
    const found = new Map<string, { shown: string; copy?: string }>();
    for (const file of files) {
      const inRepo = relative(root, file).split(sep).join('/');
      if (inRepo.startsWith('../')) throw baseError(ref, `${file} is outside the repository ${root}: pass a topology and state file under version control`);
      const shown = `${ref}:${inRepo}`;
      let text: string;
      try {
        text = git(root, ['show', `${commit}:${inRepo}`]);
      } catch {
        found.set(file, { shown }); // absent at that revision
        continue;
      }
      const copy = join(dir, inRepo);
      mkdirSync(dirname(copy), { recursive: true });
      writeFileSync(copy, text);
      found.set(file, { shown, copy });
    }
    return { ref, commit, files: found, dispose };
  } catch (error) {
    dispose();
    throw error;
  }
}
