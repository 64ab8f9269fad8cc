import { Secret } from '../../../hooks/drivers/common/secret';
import { VsphereClient } from '../../../hooks/drivers/vsphere';
import type { VcsimPlacement } from '../../vcsim/inventory';
import { provisionVms, removeVms, type VcsimAccess } from '../../vcsim/provision';
import type { RecoveredVmSpec, SiteVmPower } from './power';

/** Where each site's vCenter is, as the testenv's `vcenter` service publishes it (PRA_TESTENV_VCENTER_*). */
export interface SiteVcenters {
  /**
   * Site name -> its SOAP endpoint and datacenter; with a placement, the VMs are in that datacenter (of the
   * instance's topology) and the VMs a recovery creates go on its cluster, datastore and network.
   */
  readonly sites: Readonly<Record<string, { readonly url: string; readonly datacenter: string; readonly placement?: VcsimPlacement }>>;
  readonly username: string;
  readonly password: Secret;
  readonly caFile: string;
  /** The testenv variables that reach each vcsim's control endpoint (`/pra/vms`), which creates and removes VMs. */
  readonly vcsim: VcsimAccess;
}

/**
 * Reads the vCenter endpoints of `sites` from the environment; undefined when the daemon was started
 * without them (no vCenter simulator: power actions are then only recorded).
 */
export function siteVcentersFromEnv(sites: readonly string[], env: NodeJS.ProcessEnv): SiteVcenters | undefined {
  const { PRA_TESTENV_VCENTER_USER: username, PRA_TESTENV_VCENTER_PASSWORD: password, PRA_TESTENV_CA: caFile } = env;
  const endpoints = sites.map((site) => {
    const prefix = `PRA_TESTENV_VCENTER_${site.toUpperCase()}`;
    return [site, { url: env[`${prefix}_URL`], datacenter: env[`${prefix}_DATACENTER`] }] as const;
  });
  if (!username || !password || !caFile || endpoints.some(([, e]) => !e.url || !e.datacenter)) return undefined;
  return {
    sites: Object.fromEntries(endpoints.map(([site, e]) => [site, { url: e.url!, datacenter: e.datacenter! }])),
    username,
    password: new Secret(password),
    caFile,
    vcsim: env,
  };
}

/** VMX keys a recovered VM does not carry: the pra guestinfo keys (nothing documents that Zerto copies extraConfig). */
const isPraGuestinfo = (key: string) => key.startsWith('guestinfo.pra.');

/**
 * Zerto's VM actions done for real in each site's vCenter, through the project's vSphere driver (one client
 * per site): recovered VMs created (vcsim's control endpoint, which creates them through vcsim's own SOAP API)
 * and powered on (a suspended one resumed), a Move's protected VMs powered off at once (the simulator models no
 * guest shutdown), and VMs removed.
 */
export class VcenterPower implements SiteVmPower {
  private readonly clients = new Map<string, VsphereClient>();
  /** The same vCenters with VMs in other datacenters, by their placements: one set of clients each, for the daemon's life. */
  private readonly placed = new Map<string, VcenterPower>();

  constructor(
    private readonly vcenters: SiteVcenters,
    private readonly log: (line: string) => void,
  ) {
    for (const [site, { url, datacenter }] of Object.entries(vcenters.sites)) {
      const config = { url, datacenter, username: vcenters.username, password: vcenters.password, caFile: vcenters.caFile, name: `vcenter ${site}` };
      this.clients.set(site, new VsphereClient(config, { log }));
    }
  }

  /**
   * These vCenters with each site's VMs in the datacenter of `placements` (site -> placement; a site left out keeps
   * the testenv's default datacenter): for an instance of a topology whose VMs live in its own datacenters.
   */
  inDatacenters(placements: Readonly<Record<string, VcsimPlacement>>): VcenterPower {
    const key = JSON.stringify(Object.entries(placements).sort());
    let power = this.placed.get(key);
    if (!power) {
      const sites = Object.fromEntries(Object.entries(this.vcenters.sites).map(([site, e]) => [site, placements[site] ? { url: e.url, datacenter: placements[site].datacenter, placement: placements[site] } : e]));
      power = new VcenterPower({ ...this.vcenters, sites }, this.log);
      this.placed.set(key, power);
    }
    return power;
  }

  /**
   * Zerto powers the VMs on and looks no further. A VM found suspended once its power-on returned was suspended
   * by someone else in between (the engine's pause watcher, the post-recovery script): it did power on, since
   * vSphere suspends only a running VM. Failing the recovery then would be a simulator artefact.
   */
  async powerOn(site: string, vmNames: readonly string[]): Promise<void> {
    const client = this.client(site);
    await Promise.all(
      vmNames.map(async (vm) => {
        try {
          await client.ensureRunning(vm);
        } catch (error) {
          if ((await client.powerState(vm)) !== 'suspended') throw error;
        }
      }),
    );
  }

  async powerOff(site: string, vmNames: readonly string[]): Promise<void> {
    const client = this.client(site);
    await Promise.all(vmNames.map((vm) => client.ensureOff(vm, { guestShutdownTimeoutMs: 0 })));
  }

  /** Each VM gets its protected VM's VMX as the VPG's checkpoint holds it, less the pra guestinfo keys. */
  async create(site: string, vms: readonly RecoveredVmSpec[]): Promise<void> {
    const specs = await Promise.all(
      vms.map(async ({ name, folder, from }) => {
        const vmx = await this.client(from.site).readExtraConfig(from.name);
        return { name, folder, power: 'poweredOff' as const, extraConfig: Object.fromEntries(Object.entries(vmx).filter(([key]) => !isPraGuestinfo(key))) };
      }),
    );
    const created = await provisionVms(this.vcenters.vcsim, site, specs, this.vcenters.sites[site]?.placement);
    const existing = specs.filter((spec) => !created.includes(spec.name)).map((spec) => spec.name);
    if (existing.length) throw new Error(`cannot create ${existing.join(', ')} at ${site}: a VM of that name exists there`);
  }

  async remove(site: string, vmNames: readonly string[]): Promise<void> {
    await removeVms(this.vcenters.vcsim, site, vmNames, this.vcenters.sites[site]?.placement?.datacenter);
  }

  private client(site: string): VsphereClient {
    const client = this.clients.get(site);
    if (!client) throw new Error(`no vCenter configured for site ${site}`);
    return client;
  }
}
