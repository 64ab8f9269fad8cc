import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Execution } from '../../hooks/audit/overlap';
import { REPO_ROOT } from '../core';
import { diskAddress, writeDisk } from './disk';
import type { GuestJob, GuestOptions } from './guest';

/**
 * The drill's simulated guests: one cron process per VM, each with its own root for the real guard,
 * frozen (SIGSTOP on its whole process group, in-flight jobs included) while vCenter shows its VM
 * suspended or off, and continued when it shows it powered on.
 */
export interface FleetGuest {
  readonly vm: string;
  readonly site: string;
  /** Peers share a role, and so a crontab: a job's identity is `role.job`. */
  readonly role: string;
  /** The VM's address in the topology (what its guard's subnet map sees). */
  readonly ip: string;
}

export interface FleetOptions {
  readonly dir: string;
  readonly guests: readonly FleetGuest[];
  /** The cron jobs of a role. */
  readonly jobsOf: (role: string) => readonly GuestJob[];
  /** Jobs run through the pra-guard the guest's cloud-init installed (with its guard.conf and /etc/pra/site); false: unguarded. */
  readonly guarded: boolean;
  /** More environment for a guest's guard and jobs. */
  readonly envOf?: (vm: string) => Readonly<Record<string, string>>;
  /** What the replicated disks hold at the start: `active=..\nepoch=..`. */
  readonly activeSiteFile: string;
  /**
   * How long a booting VM runs before its cron daemon starts (a real boot takes tens of seconds; the engine
   * suspends a recovered VM within a second). Guests already running when first seen start at once. @default 0
   */
  readonly bootMs?: number;
  /** The guard's subnet map (`/etc/pra/sites.conf`) every guest holds. @default none */
  readonly sitesConf?: string;
}

/** /proc/net/fib_trie as the guard reads it, for a VM with this one address. */
function fibTrie(ip: string): string {
  return `Main:\n  +-- 0.0.0.0/0 3 0 5\n     |-- ${ip}\n        /32 host LOCAL\n     |-- 127.0.0.1\n        /32 host LOCAL\n`;
}

const fibFile = (root: string) => join(root, 'run', 'fib_trie');

/** The guest's filesystem root in a drill directory: what `pra-guard` sees as / and where the engine's SSH publisher writes. */
export function guestRoot(dir: string, vm: string): string {
  return join(dir, 'guests', vm);
}

/** The VMs that have a guest root in a drill directory. */
export function guestVms(dir: string): string[] {
  return readdirSync(join(dir, 'guests'));
}

/** The guard's ledger in a guest root (its default `ledger`, /var/log/pra-guard/ledger.log). */
export function guardLedger(root: string): string {
  return join(root, 'var/log/pra-guard/ledger.log');
}

/** Where the guard's cloud-init fragment (guard/install/cloud-init.yaml) installs it. */
export const INSTALLED_GUARD = 'usr/local/sbin/pra-guard';

/** Always the compiled guest (tests run from sources, the guests as plain node processes). */
const GUEST_MAIN = join(REPO_ROOT, 'dist', 'testenv', 'guests', 'guest.js');

export class GuestFleet {
  readonly ledger: string;
  private readonly pids = new Map<string, number>();
  private readonly frozen = new Set<string>();
  /** VMs whose power state was seen once: a later power-on is a boot. */
  private readonly seen = new Set<string>();

  /** Lays out every guest's root (what its replicated disk holds) before any guest runs. */
  constructor(private readonly opts: FleetOptions) {
    mkdirSync(opts.dir, { recursive: true });
    this.ledger = join(opts.dir, 'executions.jsonl');
    writeFileSync(this.ledger, '');
    for (const guest of opts.guests) {
      const root = this.rootOf(guest.vm);
      for (const d of ['etc/pra', 'run/pra-guard', 'var/log/pra-guard']) mkdirSync(join(root, d), { recursive: true });
      writeDisk(root, { 'etc/pra/active-site': opts.activeSiteFile }, guest.ip);
      writeFileSync(fibFile(root), fibTrie(guest.ip));
      if (opts.sitesConf) writeFileSync(join(root, 'etc/pra/sites.conf'), opts.sitesConf);
    }
  }

  /** The guest's filesystem root: what `pra-guard` sees as / and where the engine's SSH publisher writes. */
  rootOf(vm: string): string {
    return guestRoot(this.opts.dir, vm);
  }

  /** The guest has processes (running or frozen): a power-on resumes it rather than booting it. */
  running(vm: string): boolean {
    return this.pids.has(vm);
  }

  /**
   * Reacts to a power state reported by vCenter: a suspended VM is frozen whole (SIGSTOP: its clock jumps
   * on resume); a powered-off VM loses every process, jobs in flight included (SIGKILL, journaled so that
   * their executions end there); powering on continues a frozen guest or boots a new one.
   */
  onPowerState(vm: string, state: 'poweredOn' | 'poweredOff' | 'suspended'): void {
    const pid = this.pids.get(vm);
    if (state === 'poweredOn') {
      if (pid === undefined) this.launch(vm);
      else if (this.frozen.delete(vm)) signalGroup(pid, 'SIGCONT');
      this.seen.add(vm);
      return;
    }
    if (state === 'suspended' && pid === undefined && this.seen.has(vm)) {
      // Powered on and suspended between two polls (the pause watcher is that fast): it booted all the same.
      signalGroup(this.launch(vm), 'SIGSTOP');
      this.frozen.add(vm);
      return;
    }
    this.seen.add(vm);
    if (pid === undefined) return;
    if (state === 'suspended') {
      if (!this.frozen.has(vm)) signalGroup(pid, 'SIGSTOP');
      this.frozen.add(vm);
      return;
    }
    signalGroup(pid, 'SIGKILL');
    signalGroup(pid, 'SIGCONT');
    this.pids.delete(vm);
    this.frozen.delete(vm);
    appendFileSync(this.ledger, `${JSON.stringify({ ev: 'powerOff', vm, t: Date.now() })}\n`);
  }

  private launch(vm: string): number {
    const guest = this.opts.guests.find((g) => g.vm === vm);
    if (!guest) throw new Error(`fleet: no simulated guest for VM ${vm}`);
    const root = this.rootOf(vm);
    // Boots from what its disk holds: a recovery laid the protected VM's disk there before powering it on.
    writeFileSync(fibFile(root), fibTrie(diskAddress(root) ?? guest.ip));
    const jobs = this.opts.jobsOf(guest.role).map((job) => ({ ...job, name: `${guest.role}.${job.name}` }));
    const guard = this.opts.guarded ? join(root, INSTALLED_GUARD) : undefined;
    const env = { PRA_GUARD_FIB_TRIE: fibFile(root), ...this.opts.envOf?.(vm) };
    const bootMs = this.seen.has(vm) ? this.opts.bootMs : 0;
    const options: GuestOptions = { vm, site: guest.site, root, ledger: this.ledger, jobs, guard, env, bootMs };
    const child = spawn(process.execPath, [GUEST_MAIN, JSON.stringify(options)], { detached: true, stdio: 'ignore' });
    child.unref();
    this.pids.set(vm, child.pid!);
    return child.pid!;
  }

  /** Ends every guest and its jobs. */
  stop(): void {
    for (const pid of this.pids.values()) {
      signalGroup(pid, 'SIGCONT');
      signalGroup(pid, 'SIGKILL');
    }
    this.pids.clear();
  }

  /** Every job execution recorded so far (start and end joined by id). */
  executions(): Execution[] {
    const byId = new Map<string, { job: string; site: string; host: string; epoch: string; start: number; end?: number }>();
    const powerOffs: { vm: string; t: number }[] = [];
    for (const line of readFileSync(this.ledger, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      let e: { ev: string; id: string; site: string; vm: string; job: string; epoch: string; t: number };
      try {
        e = JSON.parse(line);
      } catch {
        continue; // a line being written right now
      }
      if (e.ev === 'start') byId.set(e.id, { job: e.job, site: e.site, host: e.vm, epoch: e.epoch, start: e.t });
      else if (e.ev === 'powerOff') powerOffs.push({ vm: e.vm, t: e.t });
      else if (byId.has(e.id)) byId.get(e.id)!.end = e.t;
    }
    // A job killed by its VM's power-off ran until then.
    for (const run of byId.values()) {
      if (run.end === undefined) run.end = powerOffs.find((p) => p.vm === run.host && p.t >= run.start)?.t;
    }
    return [...byId.values()];
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}
