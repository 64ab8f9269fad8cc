import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { failoverIps, vpgSpecs, type Topology } from '../../topology';
import { zertoSiteName } from '../../hooks/drivers/zerto/config';
import { VpgReconciler } from '../../hooks/drivers/zerto/reconcile';
import { readDisk, writeDisk } from '../../testenv/guests/disk';
import { tempDirs } from '../helpers/tmp';
import type { VsphereClient } from '../../hooks/drivers/vsphere';
import { zertoDriverForSite } from '../../hooks/drivers/zerto/from-topology';
import type { ZertoDriver } from '../../hooks/drivers/zerto/driver';
import { matchRecovered, recoveryCandidates } from '../../hooks/steps/recovered-vms';
import { createInstance, type ZertoSimInstance } from '../../testenv/sims/zerto/control-client';
import { provisionVms, removeVms } from '../../testenv/vcsim/provision';
import { siteVcenter } from '../support/site-vcenter';
import { testenvTopology } from '../support/testenv-topology';
import { testenv } from '../support/testenv';

// The simulator's default recovery as Zerto's guides describe it (docs/zerto.md, "What Zerto does to a recovered
// VM"), in vcsim: the recovered VM is created at the recovery site under the protected VM's name, its VMX the
// protected VM's less the pra guestinfo keys; a Move's commit removes the protected VMs, a Failover's only with
// reverse protection; a rollback removes what the recovery created; a failover test creates "<name> - testing
// recovery". VMs of their own (VM-H17-*) keep the shared example VMs untouched.
const APP = { sbg: 'VM-H17-APP-SBG', rbx: 'VM-H17-APP-RBX' };
const DB = { sbg: 'VM-H17-DB-SBG', rbx: 'VM-H17-DB-RBX' };
const VPG = 'VPG-H17-SBG-TO-RBX';
const PROTECTED = [APP.sbg, DB.sbg];
const TESTING = PROTECTED.map((name) => `${name} - testing recovery`);
/** The protected VMs' VMX: the pra keys the stacks declare, and keys of others. */
const VMX = { 'guestinfo.pra.site': 'sbg', 'guestinfo.pra.active_site': 'sbg', 'guestinfo.pra.epoch': '3', 'guestinfo.userdata': 'I2Nsb3VkLWNvbmZpZw==', 'pra.failback.site': 'sbg' };
const wait = { timeoutMs: 20_000, intervalMs: 50 };

let topology: Topology;
let sim: ZertoSimInstance;
let zerto: ZertoDriver;
const vcenter = {} as Record<'rbx' | 'sbg', VsphereClient>;

/** Each VM's power state at a site, 'absent' for one that does not exist. */
async function states(site: 'rbx' | 'sbg', names: readonly string[]): Promise<string[]> {
  const found = await vcenter[site].powerStates(names);
  return names.map((name) => found.get(name) ?? 'absent');
}

beforeAll(async () => {
  topology = testenvTopology((input) => {
    input.vms = [APP, DB].flatMap((p, i) => [
      { name: p.rbx, site: 'rbx', role: `r${i}`, ip: `10.100.0.${60 + i}`, template: 't', cpus: 1, memoryMiB: 512, peer: p.sbg },
      { name: p.sbg, site: 'sbg', role: `r${i}`, ip: `10.200.0.${60 + i}`, template: 't', cpus: 1, memoryMiB: 512, peer: p.rbx },
    ]);
    input.vpgs = [
      { name: VPG, source: 'sbg', target: 'rbx', vms: PROTECTED, rpoTargetSeconds: 300, journalHours: 24, recovery: 'move' },
      { name: 'VPG-H17-RBX-TO-SBG', source: 'rbx', target: 'sbg', vms: [APP.rbx, DB.rbx], rpoTargetSeconds: 300, journalHours: 24, recovery: 'move' },
    ];
    input.checks = { http: [], mysql: [] };
  });
  sim = await createInstance(testenv('ZERTO_CONTROL_URL'), { topology, activeSite: 'sbg', vcenter: true });
  const rbx = topology.sites.find((s) => s.name === 'rbx')!;
  zerto = zertoDriverForSite({ ...rbx, zerto: { ...rbx.zerto!, url: sim.urls.rbx } });
  for (const site of ['rbx', 'sbg'] as const) vcenter[site] = siteVcenter(site);
});

beforeEach(async () => {
  // Production on SBG, the RBX peers off, nothing a recovery made left over.
  await Promise.all([removeVms(process.env, 'rbx', [...PROTECTED, ...TESTING]), removeVms(process.env, 'sbg', PROTECTED)]);
  await provisionVms(process.env, 'sbg', PROTECTED.map((name) => ({ name, power: 'poweredOn' as const, extraConfig: VMX })));
  await provisionVms(process.env, 'rbx', [APP.rbx, DB.rbx].map((name) => ({ name, power: 'poweredOff' as const })));
  await sim.control('POST', '/reset');
  await sim.control('PUT', '/delays', { syncMs: 50, commitMs: 50, reverseProtectionMs: 50 });
});

afterAll(async () => {
  await Promise.all([removeVms(process.env, 'rbx', [...PROTECTED, ...TESTING]), removeVms(process.env, 'sbg', PROTECTED)]);
  await zerto?.client.close();
  await sim?.remove();
  await Promise.all(Object.values(vcenter).map((c) => c.close()));
});

describe('the Zerto simulator recovers VMs under the protected VMs\' names by default', () => {
  it('creates the VMs at RBX from the protected VMs\' VMX less the pra guestinfo keys, and the engine matches them', async () => {
    const task = await zerto.failover(VPG, { shutdownPolicy: 'none' });
    expect((await zerto.waitForBeforeCommit(VPG, task, wait)).subStatusName).toBe('FailingOverBeforeCommit');
    expect(await states('rbx', [...PROTECTED, APP.rbx, DB.rbx])).toEqual(['poweredOn', 'poweredOn', 'poweredOff', 'poweredOff']);
    expect(await states('sbg', PROTECTED)).toEqual(['poweredOn', 'poweredOn']);
    const vmx = await vcenter.rbx.readExtraConfig(APP.sbg);
    expect(Object.keys(vmx).filter((key) => key.startsWith('guestinfo.pra.'))).toEqual([]);
    expect(vmx).toMatchObject({ 'guestinfo.userdata': VMX['guestinfo.userdata'], 'pra.failback.site': 'sbg' });
    const candidates = await recoveryCandidates(zerto, topology, [VPG]);
    expect(await matchRecovered(vcenter.rbx, 'rbx', candidates)).toEqual(PROTECTED.map((vm) => ({ vpg: VPG, protectedVm: vm, vm })));
  });

  it('removes the protected VMs when a Move commits, and the reversed VPG protects the VMs it created', async () => {
    await zerto.waitForBeforeCommit(VPG, await zerto.move(VPG), wait);
    expect(await states('sbg', PROTECTED)).toEqual(['poweredOff', 'poweredOff']);
    await zerto.waitForTask(await zerto.commit(VPG, { reverseProtection: true }), wait);
    expect(await states('sbg', PROTECTED)).toEqual(['absent', 'absent']);
    expect(await states('rbx', PROTECTED)).toEqual(['poweredOn', 'poweredOn']);
    const reversed = await zerto.waitForVpg(VPG, 'MeetingSLA', (v) => v.statusName === 'MeetingSLA', wait);
    expect(`${reversed.sourceSite}->${reversed.targetSite}`).toBe('rbx->sbg');
    expect((await zerto.vms(VPG)).map((vm) => vm.name)).toEqual(PROTECTED);
  });

  it('keeps the protected VMs when a Move commits with KeepSourceVms', async () => {
    await zerto.waitForBeforeCommit(VPG, await zerto.move(VPG, { reverseProtection: false }), wait);
    await zerto.waitForTask(await zerto.commit(VPG, { reverseProtection: false, keepSourceVms: true }), wait);
    expect(await states('sbg', PROTECTED)).toEqual(['poweredOff', 'poweredOff']);
  });

  it('leaves the protected VMs on a Failover committed without reverse protection, removes them with it', async () => {
    await zerto.waitForBeforeCommit(VPG, await zerto.failover(VPG, { shutdownPolicy: 'none' }), wait);
    await zerto.waitForTask(await zerto.commit(VPG, { reverseProtection: false }), wait);
    expect(await states('sbg', PROTECTED)).toEqual(['poweredOn', 'poweredOn']);
    await removeVms(process.env, 'rbx', PROTECTED);
    await sim.control('POST', '/reset');
    await sim.control('PUT', '/delays', { syncMs: 50, commitMs: 50, reverseProtectionMs: 50 });
    await zerto.waitForBeforeCommit(VPG, await zerto.failover(VPG, { shutdownPolicy: 'none' }), wait);
    await zerto.waitForTask(await zerto.commit(VPG, { reverseProtection: true }), wait);
    expect(await states('sbg', PROTECTED)).toEqual(['absent', 'absent']);
  });

  it('removes what a Move created when it is rolled back, and powers the protected VMs on again', async () => {
    await zerto.waitForBeforeCommit(VPG, await zerto.move(VPG), wait);
    await zerto.waitForTask(await zerto.rollback(VPG), wait);
    expect(await states('rbx', [...PROTECTED, APP.rbx])).toEqual(['absent', 'absent', 'poweredOff']);
    expect(await states('sbg', PROTECTED)).toEqual(['poweredOn', 'poweredOn']);
  });

  it('fails a Move whose protected site is lost (it cannot shut the protected VMs down) and fails over all the same', async () => {
    await sim.control('PUT', '/lost', { sites: ['sbg'] });
    await expect(zerto.waitForBeforeCommit(VPG, await zerto.move(VPG), wait)).rejects.toThrow(/site sbg is unreachable/);
    expect((await zerto.getVpg(VPG)).statusName).toBe('MeetingSLA');
    expect(await states('rbx', PROTECTED)).toEqual(['absent', 'absent']);
    await zerto.waitForBeforeCommit(VPG, await zerto.failover(VPG, { shutdownPolicy: 'none', reverseProtection: false }), wait);
    expect(await states('rbx', PROTECTED)).toEqual(['poweredOn', 'poweredOn']);
  });

  it('creates "<name> - testing recovery" for a failover test and removes it when the test stops', async () => {
    await zerto.waitForTask(await zerto.failoverTest(VPG), wait);
    expect(await states('rbx', [...TESTING, ...PROTECTED])).toEqual(['poweredOn', 'poweredOn', 'absent', 'absent']);
    await zerto.waitForTask(await zerto.stopFailoverTest(VPG, { success: true, summary: 'ok' }), wait);
    expect(await states('rbx', TESTING)).toEqual(['absent', 'absent']);
    expect(await states('sbg', PROTECTED)).toEqual(['poweredOn', 'poweredOn']);
  });

  it('powers the topology\'s peers on instead, creating nothing, when the instance is created with recoveredNames peer', async () => {
    const peer = await createInstance(testenv('ZERTO_CONTROL_URL'), { topology, activeSite: 'sbg', vcenter: true, recoveredNames: 'peer' });
    const rbx = topology.sites.find((s) => s.name === 'rbx')!;
    const driver = zertoDriverForSite({ ...rbx, zerto: { ...rbx.zerto!, url: peer.urls.rbx } });
    try {
      await peer.control('PUT', '/delays', { syncMs: 50, commitMs: 50, reverseProtectionMs: 50 });
      await driver.waitForBeforeCommit(VPG, await driver.move(VPG), wait);
      expect(await states('rbx', [APP.rbx, DB.rbx, ...PROTECTED])).toEqual(['poweredOn', 'poweredOn', 'absent', 'absent']);
      await driver.waitForTask(await driver.rollback(VPG), wait);
      expect(await states('rbx', [APP.rbx, DB.rbx])).toEqual(['poweredOff', 'poweredOff']);
    } finally {
      await driver.client.close();
      await peer.remove();
    }
  });
});

describe('the Zerto simulator carries the replicated disks of the drill\'s guests', () => {
  const dirs = tempDirs();
  afterAll(() => dirs.removeAll());
  /** A guest root per VM at each site: the protected VMs' at SBG, the VMs recovered under their names at RBX. */
  let roots: Record<'rbx' | 'sbg', Record<string, string>>;
  const ACTIVE = 'active=sbg\nepoch=3\n';

  beforeEach(async () => {
    const dir = dirs.make('pra-disks-');
    roots = { sbg: {}, rbx: {} };
    for (const site of ['sbg', 'rbx'] as const) {
      for (const vm of PROTECTED) {
        roots[site][vm] = join(dir, site, vm);
        mkdirSync(roots[site][vm], { recursive: true });
      }
    }
    PROTECTED.forEach((vm, i) => writeDisk(roots.sbg[vm], { 'etc/pra/site': 'sbg\n', 'etc/pra/active-site': ACTIVE }, `10.200.0.${60 + i}`));
    await sim.control('PUT', '/disks', roots);
    // Long enough that the test reads the recovery site before the recovered VMs exist (50 ms did not, under 24 fork loops).
    await sim.control('PUT', '/delays', { syncMs: 2000, commitMs: 50, reverseProtectionMs: 50 });
  });

  it('boots each recovered VM from its protected VM\'s disk as it was when the Failover was accepted, keeping its address without re-IP', async () => {
    const task = await zerto.failover(VPG, { shutdownPolicy: 'none' });
    // The live source goes on after its checkpoint: the recovered disk does not see it.
    for (const vm of PROTECTED) writeFileSync(join(roots.sbg[vm], 'etc/pra/active-site'), 'active=none\nepoch=4\n');
    expect(PROTECTED.map((vm) => readDisk(roots.rbx[vm]))).toEqual([{}, {}]); // nothing before the recovered VMs exist
    await zerto.waitForBeforeCommit(VPG, task, wait);
    expect(PROTECTED.map((vm) => readDisk(roots.rbx[vm]))).toEqual(
      PROTECTED.map((_, i) => ({ 'etc/pra/site': 'sbg\n', 'etc/pra/active-site': ACTIVE, 'etc/network/pra-address': `10.200.0.${60 + i}\n` })),
    );
  });

  it('re-IPs a recovered VM only where the VPG\'s NIC settings replace its IP configuration (as pra vpg sync sets them)', async () => {
    const spec = vpgSpecs(topology).find((s) => s.name === VPG)!;
    const reconciler = new VpgReconciler(zerto, { siteNames: Object.fromEntries(topology.sites.map((site) => [site.name, zertoSiteName(site)])) });
    const reIp = failoverIps(topology, VPG).filter((ip) => ip.vm === APP.sbg); // the DB VM's NIC is left as created
    await reconciler.apply(spec, await reconciler.plan(spec, reIp), reIp);
    await zerto.waitForBeforeCommit(VPG, await zerto.move(VPG), wait);
    expect(PROTECTED.map((vm) => readFileSync(join(roots.rbx[vm], 'etc/network/pra-address'), 'utf8'))).toEqual(['10.100.0.60\n', '10.200.0.61\n']);
  });
});
