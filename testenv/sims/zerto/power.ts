/**
 * How the simulated ZVM acts on VMs at a site. Zerto powers recovered VMs on (always) and shuts protected
 * VMs down on a Move; the simulator does the same on the site's vCenter through this interface.
 */
export interface SiteVmPower {
  powerOn(site: string, vmNames: readonly string[]): Promise<void>;
  powerOff(site: string, vmNames: readonly string[]): Promise<void>;
}

export interface PowerEvent {
  readonly at: string;
  readonly action: 'powerOn' | 'powerOff';
  readonly site: string;
  readonly vms: readonly string[];
  /** Why the vCenter refused, when it did. */
  readonly error?: string;
}

/**
 * Records every power action (shown by the control endpoint) and forwards it to a vCenter backend when
 * one is configured; without one the record is the only effect.
 */
export class RecordedPower implements SiteVmPower {
  readonly events: PowerEvent[] = [];
  constructor(private readonly backend?: SiteVmPower) {}

  powerOn(site: string, vmNames: readonly string[]): Promise<void> {
    return this.record('powerOn', site, vmNames);
  }

  powerOff(site: string, vmNames: readonly string[]): Promise<void> {
    return this.record('powerOff', site, vmNames);
  }

  private async record(action: PowerEvent['action'], site: string, vms: readonly string[]): Promise<void> {
    if (!vms.length) return;
    try {
      await this.backend?.[action](site, vms);
      this.events.push({ at: new Date().toISOString(), action, site, vms: [...vms] });
    } catch (e) {
      this.events.push({ at: new Date().toISOString(), action, site, vms: [...vms], error: (e as Error).message });
      throw e;
    }
  }
}
