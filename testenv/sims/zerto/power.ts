/** A VM a recovery creates at the recovery site from a protected VM's replicated disks. */
export interface RecoveredVmSpec {
  readonly name: string;
  /** The recovery folder (directly under the datacenter's vm folder). */
  readonly folder?: string;
  /** The protected VM it is made from: its VMX is copied, less the pra guestinfo keys. */
  readonly from: { readonly site: string; readonly name: string };
}

/**
 * How the simulated ZVM acts on VMs at a site, as Zerto does in vCenter: it creates recovered VMs (the documented
 * model), powers them on, shuts protected VMs down on a Move and removes the VMs a commit or rollback leaves behind.
 */
export interface SiteVmPower {
  powerOn(site: string, vmNames: readonly string[]): Promise<void>;
  powerOff(site: string, vmNames: readonly string[]): Promise<void>;
  /** Creates each VM, powered off; a name that already exists at the site is an error. */
  create(site: string, vms: readonly RecoveredVmSpec[]): Promise<void>;
  /** Removes the VMs (powered off first) from the site's inventory and disks. */
  remove(site: string, vmNames: readonly string[]): Promise<void>;
}

export interface PowerEvent {
  readonly at: string;
  readonly action: 'powerOn' | 'powerOff' | 'create' | 'remove';
  readonly site: string;
  readonly vms: readonly string[];
  /** Why the vCenter refused, when it did. */
  readonly error?: string;
}

/**
 * Records every VM action (shown by the control endpoint) and forwards it to a vCenter backend when
 * one is configured; without one the record is the only effect.
 */
export class RecordedPower implements SiteVmPower {
  readonly events: PowerEvent[] = [];
  /**
   * Sites a disaster took (control: PUT /lost): nothing reaches their vCenter, so an action there fails (a Move
   * cannot shut its protected VMs down and rolls back, Zerto's "The Move Process"). Other sites act as usual.
   */
  readonly lost = new Set<string>();
  constructor(private readonly backend?: SiteVmPower) {}

  powerOn(site: string, vmNames: readonly string[]): Promise<void> {
    return this.record('powerOn', site, vmNames, () => this.backend?.powerOn(site, vmNames));
  }

  powerOff(site: string, vmNames: readonly string[]): Promise<void> {
    return this.record('powerOff', site, vmNames, () => this.backend?.powerOff(site, vmNames));
  }

  create(site: string, vms: readonly RecoveredVmSpec[]): Promise<void> {
    return this.record('create', site, vms.map((vm) => vm.name), () => this.backend?.create(site, vms));
  }

  remove(site: string, vmNames: readonly string[]): Promise<void> {
    return this.record('remove', site, vmNames, () => this.backend?.remove(site, vmNames));
  }

  private async record(action: PowerEvent['action'], site: string, vms: readonly string[], act: () => Promise<void> | undefined): Promise<void> {
    if (!vms.length) return;
    try {
      if (this.lost.has(site)) throw new Error(`site ${site} is unreachable (lost): its vCenter cannot ${action} ${vms.join(', ')}`);
      await act();
      this.events.push({ at: new Date().toISOString(), action, site, vms: [...vms] });
    } catch (e) {
      this.events.push({ at: new Date().toISOString(), action, site, vms: [...vms], error: (e as Error).message });
      throw e;
    }
  }
}
