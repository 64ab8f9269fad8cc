import { Secret } from '../../../hooks/drivers/common/secret';
import { VsphereClient } from '../../../hooks/drivers/vsphere';
import type { SiteVmPower } from './power';

/** Where each site's vCenter is, as the testenv's `vcenter` service publishes it (PRA_TESTENV_VCENTER_*). */
export interface SiteVcenters {
  /** Site name -> its SOAP endpoint and datacenter. */
  readonly sites: Readonly<Record<string, { readonly url: string; readonly datacenter: string }>>;
  readonly username: string;
  readonly password: Secret;
  readonly caFile: string;
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
  };
}

/**
 * Zerto's power actions done for real in each site's vCenter, through the project's vSphere driver
 * (one client per site): recovered VMs are powered on (a suspended one resumed), and a Move's protected
 * VMs powered off at once, as the simulator models no guest shutdown.
 */
export class VcenterPower implements SiteVmPower {
  private readonly clients = new Map<string, VsphereClient>();

  constructor(vcenters: SiteVcenters, log: (line: string) => void) {
    for (const [site, { url, datacenter }] of Object.entries(vcenters.sites)) {
      const config = { url, datacenter, username: vcenters.username, password: vcenters.password, caFile: vcenters.caFile, name: `vcenter ${site}` };
      this.clients.set(site, new VsphereClient(config, { log }));
    }
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

  private client(site: string): VsphereClient {
    const client = this.clients.get(site);
    if (!client) throw new Error(`no vCenter configured for site ${site}`);
    return client;
  }
}
