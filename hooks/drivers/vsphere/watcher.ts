import { NotFoundError, TransientError } from '../common/errors';
import type { VmInventory } from './inventory';
import { readPowerStatesByName, type PowerState } from './power';
import type { VsphereSession } from './session';

export interface PowerStateChange {
  readonly vm: string;
  readonly state: PowerState;
  /** Undefined on the first report of a VM (its state when the watch started, or when it appeared). */
  readonly previous: PowerState | undefined;
}

export interface WatchOptions {
  /** Ends the watch; the returned promise then resolves. */
  readonly signal: AbortSignal;
  /** Pause between two reads. @default 250 */
  readonly intervalMs?: number;
  /** Told about failed reads that the watch survives (network, 5xx, timeouts). */
  readonly onTransientError?: (error: TransientError) => void;
}

/**
 * Watches the power state of VMs by short polling: one RetrievePropertiesEx for all of them per
 * interval, so a change is seen within `intervalMs` plus one round trip (a few ms on vcsim, tens of
 * ms on vCenter for 200 VMs).
 *
 * Why polling rather than WaitForUpdatesEx: the watch has to survive re-logins, vCenter restarts and
 * VMs that do not exist yet (Zerto creates recovered VMs during a Move) or are re-registered with a
 * new moref. A property filter is server-side state tied to one session and to fixed morefs, lost on
 * each of those events and leaked when the process dies; a poll has no state to rebuild, and its
 * latency bound is explicit.
 *
 * `onChange` is called synchronously, first once per VM with its current state, then on every change;
 * it should not block (start a suspend and return). A VM not found yet is reported when it appears; one that
 * disappears (removed from the inventory) is reported as powered off, and again when it reappears.
 * Transient failures are reported to `onTransientError` and the watch goes on; any other error
 * (credentials refused, a datacenter that does not exist) rejects the returned promise.
 */
export async function watchPowerStates(
  session: VsphereSession,
  inventory: VmInventory,
  names: readonly string[],
  onChange: (change: PowerStateChange) => void,
  options: WatchOptions,
): Promise<void> {
  const known = new Map<string, PowerState>();
  const intervalMs = options.intervalMs ?? 250;
  while (!options.signal.aborted) {
    try {
      const states = await readPowerStatesByName(session, inventory, names);
      for (const [name, state] of states) {
        const previous = known.get(name);
        if (state === previous) continue;
        known.set(name, state);
        if (!options.signal.aborted) onChange({ vm: name, state, previous });
      }
      // A VM that is gone (a Move's commit, a failover test's stop) runs nothing: once, as powered off.
      for (const [name, previous] of known) {
        if (states.has(name)) continue;
        known.delete(name);
        if (previous !== 'poweredOff' && !options.signal.aborted) onChange({ vm: name, state: 'poweredOff', previous });
      }
    } catch (error) {
      if (error instanceof NotFoundError) inventory.forgetAll(); // a VM was unregistered: resolve names again
      else if (error instanceof TransientError) options.onTransientError?.(error);
      else throw error;
    }
    await abortableDelay(intervalMs, options.signal);
  }
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
