import { randomBytes } from 'node:crypto';
import type { Topology } from '../../topology';
import { vsphereConfigForSite, VsphereClient } from '../../hooks/drivers/vsphere';
import { zertoDriverForSite } from '../../hooks/drivers/zerto/from-topology';
import type { ZertoDriver } from '../../hooks/drivers/zerto/driver';
import { createInstance, type ZertoSimInstance } from '../../testenv/sims/zerto/control-client';
import { placementOf } from '../../testenv/vcsim/inventory';
import { provisionVms, removeVms } from '../../testenv/vcsim/provision';
import { testenvTopology } from '../support/testenv-topology';
import { testenv } from '../support/testenv';
import { vmPlacements } from '../support/vcsim-placement';

// An instance created for a topology whose sites have datacenters of their own (a drill of a user's topology): the
// simulated ZVM powers, creates and removes VMs in each site's datacenter, never in the simulators' default one,
// and creates recovered VMs on the recovery site's cluster, datastore and network. Names of this run only.
const run = randomBytes(3).toString('hex').toUpperCase();
const APP = { sbg: `VM-OWN-${run}-SBG`, rbx: `VM-OWN-${run}-RBX` };
const VPG = `VPG-OWN-${run}`;
const wait = { timeoutMs: 20_000, intervalMs: 50 };

let topology: Topology;
let sim: ZertoSimInstance;
let zerto: ZertoDriver;
const vcenter = {} as Record<'rbx' | 'sbg', VsphereClient>;
const siteOf = (name: 'rbx' | 'sbg') => topology.sites.find((s) => s.name === name)!;

async function states(site: 'rbx' | 'sbg', names: readonly string[]): Promise<string[]> {
  const found = await vcenter[site].powerStates(names);
  return names.map((name) => found.get(name) ?? 'absent');
}

beforeAll(async () => {
  topology = testenvTopology((input) => {
    for (const site of input.sites) {
      site.vcenter.datacenter = `dc-own-${run}-${site.name}`;
      Object.assign(site, { cluster: `cl-${site.name}`, datastore: `ds-${site.name}`, network: `net-${site.name}`, folder: 'recovered' });
    }
    input.vms = [
      { name: APP.rbx, site: 'rbx', role: 'app', ip: '10.100.0.70', template: 't', cpus: 1, memoryMiB: 512, peer: APP.sbg },
      { name: APP.sbg, site: 'sbg', role: 'app', ip: '10.200.0.70', template: 't', cpus: 1, memoryMiB: 512, peer: APP.rbx },
    ];
    input.vpgs = [
      { name: VPG, source: 'sbg', target: 'rbx', vms: [APP.sbg], rpoTargetSeconds: 300, journalHours: 24, recovery: 'move' },
      { name: `${VPG}-BACK`, source: 'rbx', target: 'sbg', vms: [APP.rbx], rpoTargetSeconds: 300, journalHours: 24, recovery: 'move' },
    ];
    input.checks = { http: [], mysql: [] };
  });
  await provisionVms(process.env, 'sbg', [{ name: APP.sbg, power: 'poweredOn', extraConfig: { 'pra.failback.site': 'sbg' } }], placementOf(siteOf('sbg')));
  await provisionVms(process.env, 'rbx', [{ name: APP.rbx, power: 'poweredOff' }], placementOf(siteOf('rbx')));
  sim = await createInstance(testenv('ZERTO_CONTROL_URL'), { topology, activeSite: 'sbg', vcenter: true, ownDatacenters: true });
  await sim.control('PUT', '/delays', { syncMs: 50, commitMs: 50, reverseProtectionMs: 50 });
  zerto = zertoDriverForSite({ ...siteOf('rbx'), zerto: { ...siteOf('rbx').zerto, url: sim.urls.rbx } });
  for (const site of ['rbx', 'sbg'] as const) vcenter[site] = new VsphereClient(vsphereConfigForSite(siteOf(site)));
});

afterAll(async () => {
  await Promise.all((['rbx', 'sbg'] as const).map((site) => removeVms(process.env, site, [APP.rbx, APP.sbg], siteOf(site).vcenter.datacenter)));
  await zerto?.client.close();
  await sim?.remove();
  await Promise.all(Object.values(vcenter).map((c) => c.close()));
});

describe("a Zerto simulator instance for a topology with datacenters of its own (ownDatacenters)", () => {
  it("creates the recovered VM in the recovery site's datacenter, folder, cluster, datastore and network, and a Move's commit removes the protected VM from its own", async () => {
    await zerto.waitForBeforeCommit(VPG, await zerto.move(VPG), wait);
    expect(await states('rbx', [APP.sbg, APP.rbx])).toEqual(['poweredOn', 'poweredOff']);
    expect(await states('sbg', [APP.sbg])).toEqual(['poweredOff']);
    await expect(vcenter.rbx.findVm(`/${siteOf('rbx').vcenter.datacenter}/vm/recovered/${APP.sbg}`)).resolves.toMatchObject({ type: 'VirtualMachine' });
    expect((await vmPlacements(vsphereConfigForSite(siteOf('rbx')), [APP.sbg])).get(APP.sbg)).toEqual(placementOf(siteOf('rbx')));
    expect(await vcenter.rbx.readExtraConfig(APP.sbg)).toMatchObject({ 'pra.failback.site': 'sbg' }); // the protected VM's VMX, read in its own datacenter

    await zerto.waitForTask(await zerto.commit(VPG, { reverseProtection: true }), wait);
    expect(await states('sbg', [APP.sbg])).toEqual(['absent']);
    expect(await states('rbx', [APP.sbg])).toEqual(['poweredOn']);
  });
});
