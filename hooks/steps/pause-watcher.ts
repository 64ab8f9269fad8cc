import { toError } from '../drivers/common/errors';
import { realSleep } from '../drivers/common/retry';
import type { Json } from '../engine/events';
import type { Vcenter } from './systems';

/** How long a recovered VM ran before it was suspended: the window the guard alone must cover (H1). */
export interface BootWindow {
  readonly vm: string;
  readonly poweredOnSeenAt: string;
  readonly suspendedAt: string;
  readonly ms: number;
}

/**
 * Suspends each watched VM the moment vCenter shows it powered on (Zerto always powers recovered VMs on;
 * vSphere has no "start suspended"). Runs in the engine because OVHcloud locks Zerto's post-recovery
 * scripts (H7); hooks/zerto-post-recovery does the same from a script where they are allowed.
 */
export class PauseWatcher {
  private readonly controller = new AbortController();
  private readonly suspended = new Set<string>();
  private readonly inFlight = new Set<string>();
  private watching?: Promise<void>;
  private failure?: Error;
  private readonly groups: readonly (readonly string[])[];

  /**
   * `vms`: a name, or the names one recovered VM may have (Zerto's protected name, the topology's peer): every
   * name is watched, and a group is done when one of its VMs is suspended (H12).
   */
  constructor(
    private readonly vcenter: Vcenter,
    vms: readonly (string | readonly string[])[],
    private readonly onSuspended: (window: BootWindow) => void,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.groups = vms.map((g) => (typeof g === 'string' ? [g] : g));
  }

  start(intervalMs = 100): void {
    this.watching = this.vcenter
      .watchPowerStates(this.groups.flat(), (change) => this.onChange(change.vm, change.state), { signal: this.controller.signal, intervalMs })
      .catch((error) => {
        this.failure = toError(error);
      });
  }

  private onChange(vm: string, state: string): void {
    if (state === 'suspended') {
      this.suspended.add(vm);
      return;
    }
    this.suspended.delete(vm);
    if (state !== 'poweredOn' || this.inFlight.has(vm)) return;
    const seen = this.now();
    this.inFlight.add(vm);
    this.vcenter
      .ensureSuspended(vm)
      .then(() => {
        const done = this.now();
        this.suspended.add(vm);
        this.onSuspended({ vm, poweredOnSeenAt: seen.toISOString(), suspendedAt: done.toISOString(), ms: done.getTime() - seen.getTime() });
      })
      .catch((error) => {
        this.failure = toError(error);
      })
      .finally(() => this.inFlight.delete(vm));
  }

  /** Resolves once a VM of every group is suspended and no suspend is in flight; rejects on a watch or suspend failure or on `signal`. */
  async allSuspended(signal: AbortSignal, pollMs = 50): Promise<void> {
    const waiting = () => this.groups.filter((g) => !g.some((vm) => this.suspended.has(vm)));
    while (waiting().length || this.inFlight.size) {
      if (this.failure) throw this.failure;
      if (signal.aborted) throw new Error(`stopped while waiting for ${waiting().map((g) => g.join(' or ')).join(', ')} to be suspended`);
      await realSleep(pollMs);
    }
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.watching;
  }
}

/** A pause watcher whose boot windows are journaled as the step's progress (`bootWindow`) and kept in `windows`. */
export function journaledPauseWatcher(vcenter: Vcenter, vms: readonly (readonly string[])[], progress: (message: string, data?: Json) => void): { watcher: PauseWatcher; windows: Json[] } {
  const windows: Json[] = [];
  const watcher = new PauseWatcher(vcenter, vms, (w) => {
    windows.push({ ...w });
    progress(`${w.vm} suspended ${w.ms} ms after it was seen powered on`, { bootWindow: { ...w } });
  });
  return { watcher, windows };
}
