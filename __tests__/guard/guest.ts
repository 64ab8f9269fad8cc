import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseLedger, type LedgerEntry } from '../../hooks/guard/ledger';
import { REPO_ROOT } from '../../testenv/core';

/** The real guard script, run by the shells it must support. */
export const GUARD = join(REPO_ROOT, 'guard/pra-guard');
export const SHELLS = ['dash', 'bash'] as const;
export type Shell = (typeof SHELLS)[number];
/** Holds the vmware-rpctool stand-in (the only stand-in allowed: it cannot exist off a VMware guest). */
const GUESTINFO_TOOL_DIR = join(REPO_ROOT, 'testenv/guest');

export interface GuardResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * A simulated guest: a temporary root holding /etc/pra, /run/pra-guard and /var/log/pra-guard, in which
 * the real script runs (PRA_GUARD_ROOT). VMware Tools exist only once `guestinfo()` was called.
 */
export class Guest {
  readonly root = mkdtempSync(join(tmpdir(), 'pra-guard-test-'));
  private guestinfoFile?: string;

  constructor(readonly shell: Shell) {
    mkdirSync(this.path('etc/pra'), { recursive: true });
    this.config({});
  }

  path(relative: string): string {
    return join(this.root, relative);
  }

  write(relative: string, text: string): void {
    mkdirSync(dirname(this.path(relative)), { recursive: true });
    writeFileSync(this.path(relative), text);
  }

  /** /etc/pra/guard.conf; syslog stays off unless asked (tests must not spam the machine's log). */
  config(entries: Record<string, string | number>): void {
    const all = { syslog: 'no', ...entries };
    this.write('etc/pra/guard.conf', Object.entries(all).map(([k, v]) => `${k}=${v}\n`).join(''));
  }

  site(name: string): void {
    this.write('etc/pra/site', `${name}\n`);
  }

  activeSite(active: string, epoch: number | string): void {
    this.write('etc/pra/active-site', `active=${active}\nepoch=${epoch}\nby=test\n`);
  }

  /** This guest at RBX, its guard reading the file source; `config` adds (or overrides) guard.conf entries. */
  atRbx(config: Record<string, string | number> = {}): void {
    this.config({ sources: 'file', ...config });
    this.site('rbx');
  }

  /** The usual arrangement: `atRbx(config)`, and the active-site file names RBX at `epoch` (the guard allows). */
  activeAtRbx(epoch: number | string, config: Record<string, string | number> = {}): void {
    this.atRbx(config);
    this.activeSite('rbx', epoch);
  }

  /** Makes VMware Tools readable, answering these guestinfo keys (without the `guestinfo.` prefix). */
  guestinfo(values: Record<string, string | number>): void {
    this.guestinfoFile = this.path('guestinfo.kv');
    writeFileSync(this.guestinfoFile, Object.entries(values).map(([k, v]) => `guestinfo.${k}=${v}\n`).join(''));
  }

  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const path = this.guestinfoFile ? `${GUESTINFO_TOOL_DIR}:${process.env.PATH}` : process.env.PATH;
    return { ...process.env, PATH: path, PRA_GUARD_ROOT: this.root, PRA_FAKE_GUESTINFO: this.guestinfoFile ?? '', ...extra };
  }

  /** Starts the guard without waiting (long jobs, signals). */
  start(args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): ChildProcess {
    return spawn(this.shell, [GUARD, ...args], { env: this.env(extraEnv), stdio: ['pipe', 'pipe', 'pipe'] });
  }

  /** Runs the guard to completion (asynchronously: servers in this process keep answering). */
  run(args: readonly string[], options: { env?: NodeJS.ProcessEnv; stdin?: string; command?: readonly string[] } = {}): Promise<GuardResult> {
    const child = options.command
      ? spawn(options.command[0], [...options.command.slice(1), this.shell, GUARD, ...args], { env: this.env(options.env), stdio: ['pipe', 'pipe', 'pipe'] })
      : this.start(args, options.env);
    return finished(child, options.stdin);
  }

  ledger(): LedgerEntry[] {
    const file = this.path('var/log/pra-guard/ledger.log');
    return existsSync(file) ? parseLedger(readFileSync(file, 'utf8'), file) : [];
  }

  ledgerText(): string {
    const file = this.path('var/log/pra-guard/ledger.log');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  inflight(): string[] {
    const dir = this.path('run/pra-guard/inflight');
    return existsSync(dir) ? readdirSync(dir) : [];
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

export function finished(child: ChildProcess, stdin?: string): Promise<GuardResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  child.stdin?.on('error', () => undefined); // EPIPE: the guard exited without reading its stdin
  child.stdin?.end(stdin ?? '');
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Runs `body` with a fresh guest per shell, cleaning up after. */
export async function withGuest<T>(shell: Shell, body: (guest: Guest) => Promise<T>): Promise<T> {
  const guest = new Guest(shell);
  try {
    return await body(guest);
  } finally {
    guest.cleanup();
  }
}
