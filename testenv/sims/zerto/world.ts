import type { Topology } from '../../../topology';
import { AuthRealm, type AuthTiming, type Credentials } from './auth';
import { GuestDisks } from './disks';
import { Faults } from './faults';
import { Inventory } from './inventory';
import { Recoveries, type Delays } from './operations';
import { RecordedPower, type SiteVmPower } from './power';
import { VpgSettingsStore } from './settings';
import { Tasks } from './tasks';
import { initialVpgs, renderVpg, type SimVpg } from './vpgs';

export interface SimAlert {
  readonly id: string;
  readonly vpgId: string;
  readonly level: 'Warning' | 'Error';
  readonly description: string;
  readonly helpIdentifier: string;
  readonly turnedOn: string;
}

export interface RequestRecord {
  readonly site: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** The JSON body of an API call (never a login form). */
  readonly body?: unknown;
  /** The JSON answer (tokens are opaque, never the credentials). */
  readonly answer?: unknown;
}

/**
 * How a recovery names the VMs it brings up at the recovery site (docs/zerto.md, "What Zerto does to a recovered VM"):
 * `protected` (the documented model) creates them under the protected VMs' names from the replicated disks; `peer`
 * (the seeds') powers on the topology's peers that already exist there.
 */
export type RecoveredNames = 'protected' | 'peer';

export interface WorldOptions {
  readonly topology: Topology;
  /** The site production runs on: its VPG replicates, the other one is Recovered. */
  readonly activeSite: string;
  /** Topology VPGs left out of the initial state, as if never created (to exercise `vpg sync`). */
  readonly withoutVpgs?: readonly string[];
  readonly credentials: Credentials;
  readonly timing: AuthTiming;
  readonly delays: Delays;
  /** @default 'protected' */
  readonly recoveredNames?: RecoveredNames;
  /** The vCenter side of power actions; without one they are only recorded. */
  readonly vcenter?: SiteVmPower;
}

/**
 * Everything one simulated ZVM pair holds. Both sites' API ports share it, as paired ZVMs share their VPGs;
 * each instance is isolated from the others (tests create their own through the control endpoint).
 */
export class World {
  readonly inventory: Inventory;
  /** Mutated in place: the settings store and the recoveries hold the same array. */
  readonly vpgs: SimVpg[] = [];
  readonly tasks = new Tasks();
  readonly faults = new Faults();
  readonly alerts: SimAlert[] = [];
  readonly requests: RequestRecord[] = [];
  readonly power: RecordedPower;
  readonly auth: AuthRealm;
  readonly recoveries: Recoveries;
  readonly settings: VpgSettingsStore;
  /** The drill guests' disks a recovery carries (control: PUT /disks). */
  readonly disks = new GuestDisks();
  private activeSite: string;

  constructor(private readonly options: WorldOptions) {
    this.inventory = new Inventory(options.topology);
    this.power = new RecordedPower(options.vcenter);
    this.auth = new AuthRealm(options.credentials, { ...options.timing });
    this.recoveries = new Recoveries(this.inventory, this.tasks, this.power, { ...options.delays }, options.recoveredNames ?? 'protected', {
      disks: this.disks,
      reIp: (vpgId, vmId, test) => this.settings.nics.reIp(vpgId, vmId, test),
    });
    this.settings = new VpgSettingsStore(this.inventory, this.vpgs, this.tasks, this.recoveries.delays);
    this.activeSite = options.activeSite;
    this.reset();
  }

  /** Back to the initial state (optionally with another active site); faults, delays and timing too. */
  reset(activeSite: string = this.activeSite): void {
    if (!this.inventory.siteNamed(activeSite)) throw new Error(`unknown site ${activeSite}: use ${this.inventory.sites.map((s) => s.name).join(' | ')}`);
    this.activeSite = activeSite;
    this.recoveries.cancelAll();
    this.inventory.reset();
    const initial = initialVpgs(this.options.topology, this.inventory, activeSite).filter((v) => !this.options.withoutVpgs?.includes(v.name));
    this.vpgs.splice(0, this.vpgs.length, ...initial);
    this.tasks.clear();
    this.faults.clear();
    this.settings.clear();
    this.disks.clear();
    this.alerts.length = 0;
    this.requests.length = 0;
    this.power.events.length = 0;
    this.power.lost.clear();
    this.auth.expireAll();
    Object.assign(this.auth.timing, this.options.timing);
    Object.assign(this.recoveries.delays, this.options.delays);
  }

  record(entry: RequestRecord): void {
    this.requests.push(entry);
    if (this.requests.length > 2000) this.requests.splice(0, this.requests.length - 2000);
  }

  /** What the control endpoint shows: VPGs as the API renders them, power actions, requests seen. */
  snapshot(): Record<string, unknown> {
    return {
      activeSite: this.activeSite,
      vpgs: this.vpgs.map((v) => renderVpg(v, this.inventory)),
      powerEvents: this.power.events,
      requests: this.requests,
      faults: this.faults.list(),
      delays: this.recoveries.delays,
      timing: this.auth.timing,
    };
  }
}
