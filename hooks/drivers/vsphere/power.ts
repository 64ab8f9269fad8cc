import { NotFoundError, PermanentError, TimeoutError } from '../common/errors';
import { pollUntil, withRetry, type Sleep } from '../common/retry';
import type { VmInventory } from './inventory';
import { retrieveProperties } from './properties';
import type { FaultyError, MoRef } from './soap';
import type { VsphereSession } from './session';
import { runTask, type TaskWaitOptions } from './tasks';

export type PowerState = 'poweredOn' | 'poweredOff' | 'suspended';
const POWER_STATES: readonly string[] = ['poweredOn', 'poweredOff', 'suspended'];

/** What an idempotent power helper found and left. `changed` is false when nothing had to be done. */
export interface PowerChange {
  readonly vm: string;
  readonly before: PowerState;
  readonly after: PowerState;
  readonly changed: boolean;
}

export interface EnsureOffOptions extends TaskWaitOptions {
  /** How long a guest OS shutdown may take before the VM is powered off hard. @default 120000 */
  readonly guestShutdownTimeoutMs?: number;
  /** Pause between two power-state reads while the guest shuts down. @default 1000 */
  readonly pollIntervalMs?: number;
}

/** Reads `runtime.powerState` of many VMs in one round trip, keyed by moref value. */
export async function readPowerStates(session: VsphereSession, vms: readonly MoRef[]): Promise<Map<string, PowerState>> {
  const objects = await retrieveProperties(session, 'VirtualMachine', vms, ['runtime.powerState']);
  const states = new Map<string, PowerState>();
  for (const { ref, values } of objects) {
    const state = values.get('runtime.powerState')?.text;
    if (!state || !POWER_STATES.includes(state)) throw new PermanentError(session.system, `VM ${ref.value} reports an unknown power state ${state ?? '(none)'}`);
    states.set(ref.value, state as PowerState);
  }
  return states;
}

/** Reads after which a VM that keeps vanishing between its lookup and its read is an error. */
const READ_ATTEMPTS = 3;

/**
 * Power states of many VMs by name in one round trip; VMs that do not exist (yet) are absent from the map. A cached
 * reference whose VM was removed (a Zerto Move removes the protected VMs, a later recovery creates them again under
 * the same name) fails the whole read: the names are resolved again (a VM removed between a lookup and the read,
 * a rollback's, does the same).
 */
export async function readPowerStatesByName(session: VsphereSession, inventory: VmInventory, names: readonly string[]): Promise<Map<string, PowerState>> {
  const read = async () => {
    const refs = await inventory.findAll(names);
    return { refs, byRef: await readPowerStates(session, [...refs.values()]) };
  };
  const { refs, byRef } = await withRetry(read, {
    attempts: READ_ATTEMPTS,
    baseDelayMs: 0,
    retryable: (error) => error instanceof NotFoundError,
    onRetry: () => inventory.forgetAll(),
  });
  const states = new Map<string, PowerState>();
  for (const [name, ref] of refs) {
    const state = byRef.get(ref.value);
    if (state) states.set(name, state);
  }
  return states;
}

/**
 * The idempotent power operations: each reads the state first and acts only when needed, so a
 * repeated or resumed failback step never trips over InvalidPowerState. When a task still fails
 * with InvalidPowerState (someone else acted in between), the state is read again and accepted
 * if it is the one wanted.
 */
export class PowerOperations {
  constructor(
    private readonly session: VsphereSession,
    private readonly inventory: VmInventory,
    private readonly sleep?: Sleep,
  ) {}

  async state(name: string): Promise<PowerState> {
    return this.inventory.withVm(name, (vm) => this.stateOf(vm));
  }

  /** Powers a VM on, or resumes it when suspended. */
  ensureRunning(name: string, options: TaskWaitOptions = {}): Promise<PowerChange> {
    return this.converge(name, ['poweredOn'], (vm, before) => (before === 'poweredOn' ? undefined : this.task('PowerOnVM_Task', vm, options)));
  }

  /**
   * Suspends a running VM. A powered-off VM is left off: it runs nothing, and suspending it would
   * mean booting it first (vCenter refuses to suspend a powered-off VM).
   */
  ensureSuspended(name: string, options: TaskWaitOptions = {}): Promise<PowerChange> {
    return this.converge(name, ['suspended', 'poweredOff'], (vm, before) => (before === 'poweredOn' ? this.task('SuspendVM_Task', vm, options) : undefined));
  }

  /**
   * Stops a VM: a running one gets a guest OS shutdown (needs VMware Tools), bounded by
   * `guestShutdownTimeoutMs`, then a hard power-off if it is still running; a suspended one is
   * powered off directly (its guest is not running and cannot shut down).
   */
  ensureOff(name: string, options: EnsureOffOptions = {}): Promise<PowerChange> {
    return this.converge(name, ['poweredOff'], (vm, before) => (before === 'poweredOff' ? undefined : this.stop(vm, before, options)));
  }

  private async stop(vm: MoRef, before: PowerState, options: EnsureOffOptions): Promise<void> {
    if (before === 'poweredOn' && (await this.shutdownGuest(vm, options))) return;
    await this.task('PowerOffVM_Task', vm, options);
  }

  private async converge(name: string, wanted: readonly PowerState[], act: (vm: MoRef, before: PowerState) => Promise<void> | undefined): Promise<PowerChange> {
    return this.inventory.withVm(name, async (vm) => {
      const before = await this.stateOf(vm);
      const action = act(vm, before);
      if (!action) return { vm: name, before, after: before, changed: false };
      try {
        await action;
      } catch (error) {
        if ((error as FaultyError).fault?.type !== 'InvalidPowerState') throw error;
        const now = await this.stateOf(vm);
        if (!wanted.includes(now)) throw error;
      }
      const after = await this.stateOf(vm);
      if (!wanted.includes(after)) throw new PermanentError(this.session.system, `VM ${name} is ${after} after the power operation; expected ${wanted.join(' or ')}`);
      return { vm: name, before, after, changed: after !== before };
    });
  }

  /** Asks the guest to shut down; true when it reached poweredOff in time, false to fall back to power-off. */
  private async shutdownGuest(vm: MoRef, options: EnsureOffOptions): Promise<boolean> {
    try {
      await this.session.call('ShutdownGuest', vm);
    } catch (error) {
      // No tools, or tools not running: a guest shutdown is impossible, power off instead.
      const type = (error as FaultyError).fault?.type;
      if (type === 'ToolsUnavailable' || type === 'InvalidState' || type === 'TaskInProgress') return false;
      throw error;
    }
    try {
      await pollUntil(async () => ((await this.stateOf(vm)) === 'poweredOff' ? true : undefined), {
        timeoutMs: options.guestShutdownTimeoutMs ?? 120000,
        intervalMs: options.pollIntervalMs ?? 1000,
        system: this.session.system,
        what: `guest shutdown of ${vm.value}`,
        sleep: this.sleep,
      });
      return true;
    } catch (error) {
      if (error instanceof TimeoutError) return false;
      throw error;
    }
  }

  private task(method: string, vm: MoRef, options: TaskWaitOptions): Promise<void> {
    return runTask(this.session, method, vm, '', { sleep: this.sleep, ...options });
  }

  private async stateOf(vm: MoRef): Promise<PowerState> {
    const state = (await readPowerStates(this.session, [vm])).get(vm.value);
    if (!state) throw new PermanentError(this.session.system, `VM ${vm.value} has no power state`);
    return state;
  }
}
