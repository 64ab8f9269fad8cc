import { writeExtraConfig, readExtraConfig, type ExtraConfig } from './extra-config';
import { VmInventory } from './inventory';
import { PowerOperations, readPowerStatesByName, type EnsureOffOptions, type PowerChange, type PowerState } from './power';
import { VsphereSession, type VsphereConfig, type VsphereDeps } from './session';
import type { MoRef } from './soap';
import type { TaskWaitOptions } from './tasks';
import { watchPowerStates, type PowerStateChange, type WatchOptions } from './watcher';

/**
 * The vSphere driver: one vCenter (SOAP `/sdk`) and one datacenter, VMs addressed by name.
 * Every operation logs in when needed, logs in again once when the session expired, and retries
 * transient failures; power helpers are idempotent (they read the state first).
 */
export class VsphereClient {
  private readonly session: VsphereSession;
  private readonly inventory: VmInventory;
  private readonly power: PowerOperations;

  constructor(config: VsphereConfig, deps: VsphereDeps = {}) {
    this.session = new VsphereSession(config, deps);
    this.inventory = new VmInventory(this.session);
    this.power = new PowerOperations(this.session, this.inventory, deps.sleep);
  }

  /** How errors name this endpoint, e.g. `vcenter pcc-203-0-113-10.ovh.com`. */
  get system(): string {
    return this.session.system;
  }

  /** Logs in now; wrong credentials raise AuthError. Optional: every operation logs in when needed. */
  login(): Promise<void> {
    return this.session.login();
  }

  /** Logs out and releases connections. */
  close(): Promise<void> {
    return this.session.close();
  }

  /** A VM's managed object reference, by name within the datacenter or by full inventory path. NotFoundError if none. */
  findVm(name: string): Promise<MoRef> {
    return this.inventory.find(name);
  }

  powerState(name: string): Promise<PowerState> {
    return this.power.state(name);
  }

  /** Power states of many VMs in one round trip; VMs that do not exist are absent from the map. */
  powerStates(names: readonly string[]): Promise<Map<string, PowerState>> {
    return readPowerStatesByName(this.session, this.inventory, names);
  }

  /** Powers on, or resumes a suspended VM; nothing when already on. */
  ensureRunning(name: string, options?: TaskWaitOptions): Promise<PowerChange> {
    return this.power.ensureRunning(name, options);
  }

  /** Suspends a running VM; nothing when suspended or powered off. */
  ensureSuspended(name: string, options?: TaskWaitOptions): Promise<PowerChange> {
    return this.power.ensureSuspended(name, options);
  }

  /** Guest shutdown bounded by `guestShutdownTimeoutMs`, then power-off; nothing when already off. */
  ensureOff(name: string, options?: EnsureOffOptions): Promise<PowerChange> {
    return this.power.ensureOff(name, options);
  }

  readExtraConfig(name: string): Promise<ExtraConfig> {
    return this.inventory.withVm(name, (vm) => readExtraConfig(this.session, vm));
  }

  /** Sets the given keys (an empty value deletes one); other keys are untouched. */
  writeExtraConfig(name: string, entries: ExtraConfig, options?: TaskWaitOptions): Promise<void> {
    return this.inventory.withVm(name, (vm) => writeExtraConfig(this.session, vm, entries, options));
  }

  /** Reports each VM's power state, then every change, until `options.signal` aborts. See watcher.ts. */
  watchPowerStates(names: readonly string[], onChange: (change: PowerStateChange) => void, options: WatchOptions): Promise<void> {
    return watchPowerStates(this.session, this.inventory, names, onChange, options);
  }
}
