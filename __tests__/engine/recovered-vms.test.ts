import type { Topology } from '../../topology';
import { zertoDriverForSite } from '../../hooks/drivers/zerto/from-topology';
import type { ZertoDriver } from '../../hooks/drivers/zerto/driver';
import type { VsphereClient } from '../../hooks/drivers/vsphere';
import { PauseWatcher } from '../../hooks/steps/pause-watcher';
import { matchRecovered, recoveryCandidates } from '../../hooks/steps/recovered-vms';
import { provisionVms } from '../../testenv/vcsim/provision';
import { createInstance, type ZertoSimInstance } from '../../testenv/sims/zerto/control-client';
import type { Env } from '../../testenv/core';
import { siteVcenter } from '../support/site-vcenter';
import { testenvTopology } from '../support/testenv-topology';
import { testenv } from '../support/testenv';

// Hazard H12: Zerto creates a recovered VM from the protected VM's disks, under the protected VM's name (its
// guides), where the seeds expect the recovery site's own peer. The engine finds recovered VMs through the
// VPG's VM list (the Zerto simulator) and the recovery site's vCenter (vcsim), under either name. VMs of their
// own (VM-H12-*) keep the shared example VMs untouched.
const APP = { sbg: 'VM-H12-APP-SBG', rbx: 'VM-H12-APP-RBX' };
const DB = { sbg: 'VM-H12-DB-SBG', rbx: 'VM-H12-DB-RBX' };
const CACHE = { sbg: 'VM-H12-CACHE-SBG', rbx: 'VM-H12-CACHE-RBX' };
const VPG = 'VPG-H12-SBG-TO-RBX';

let topology: Topology;
let sim: ZertoSimInstance;
let zerto: ZertoDriver;
let rbx: VsphereClient;

beforeAll(async () => {
  const pairs = [APP, DB, CACHE];
  topology = testenvTopology((input) => {
    input.vms = pairs.flatMap((p, i) => [
      { name: p.rbx, site: 'rbx', role: `r${i}`, ip: `10.100.0.${50 + i}`, template: 't', cpus: 1, memoryMiB: 512, peer: p.sbg },
      { name: p.sbg, site: 'sbg', role: `r${i}`, ip: `10.200.0.${50 + i}`, template: 't', cpus: 1, memoryMiB: 512, peer: p.rbx },
    ]);
    input.vpgs = [
      { name: VPG, source: 'sbg', target: 'rbx', vms: pairs.map((p) => p.sbg), rpoTargetSeconds: 300, journalHours: 24, recovery: 'failover' },
      { name: 'VPG-H12-RBX-TO-SBG', source: 'rbx', target: 'sbg', vms: pairs.map((p) => p.rbx), rpoTargetSeconds: 300, journalHours: 24, recovery: 'failover' },
    ];
    input.checks = { http: [], mysql: [] };
  });
  const env = process.env as Env;
  // At RBX: APP recovered under the protected name (documented), its seeds' peer off; DB recovered as the
  // seeds' peer (suspended); CACHE not recovered at all (only the peer, off).
  await provisionVms(env, 'rbx', [
    { name: APP.sbg, power: 'poweredOn' },
    { name: APP.rbx, power: 'poweredOff' },
    { name: DB.rbx, power: 'suspended' },
    { name: CACHE.rbx, power: 'poweredOff' },
  ]);
  await provisionVms(env, 'sbg', [APP.sbg, DB.sbg, CACHE.sbg].map((name) => ({ name, power: 'poweredOn' as const })));
  sim = await createInstance(testenv('ZERTO_CONTROL_URL'), { topology, activeSite: 'sbg' });
  zerto = zertoDriverForSite({ ...topology.sites.find((s) => s.name === 'rbx')!, zerto: { ...topology.sites.find((s) => s.name === 'rbx')!.zerto!, url: sim.urls.rbx } });
  rbx = siteVcenter('rbx');
});

afterAll(async () => {
  await zerto?.client.close();
  await sim?.remove();
  await rbx?.close();
});

describe('recovered VMs found through Zerto and the recovery site vCenter', () => {
  it('lists each protected VM of the VPG with its two possible names at the recovery site', async () => {
    expect(await recoveryCandidates(zerto, topology, [VPG])).toEqual([
      { vpg: VPG, protectedVm: APP.sbg, names: [APP.sbg, APP.rbx] },
      { vpg: VPG, protectedVm: DB.sbg, names: [DB.sbg, DB.rbx] },
      { vpg: VPG, protectedVm: CACHE.sbg, names: [CACHE.sbg, CACHE.rbx] },
    ]);
  });

  it('matches a VM recovered under the protected name and one under the peer name, and fails (naming it) on one it cannot match', async () => {
    const [app, db, cache] = await recoveryCandidates(zerto, topology, [VPG]);
    expect(await matchRecovered(rbx, 'rbx', [app, db])).toEqual([
      { vpg: VPG, protectedVm: APP.sbg, vm: APP.sbg },
      { vpg: VPG, protectedVm: DB.sbg, vm: DB.rbx },
    ]);
    await expect(matchRecovered(rbx, 'rbx', [app, db, cache])).rejects.toThrow(`${VPG}: ${CACHE.sbg} has no running or suspended VM named ${CACHE.sbg} or ${CACHE.rbx}`);
  });

  it('suspends a VM that powers on under the protected name, which a watch of the peer names never sees', async () => {
    const [app] = await recoveryCandidates(zerto, topology, [VPG]);
    await rbx.ensureOff(APP.sbg, { guestShutdownTimeoutMs: 0 });
    const windows: string[] = [];
    const watcher = new PauseWatcher(rbx, [app.names], (w) => windows.push(w.vm));
    watcher.start(50);
    try {
      await rbx.ensureRunning(APP.sbg); // Zerto powers the recovered VM on
      await watcher.allSuspended(AbortSignal.timeout(20_000));
    } finally {
      await watcher.stop();
    }
    expect(windows).toEqual([APP.sbg]);
    expect((await rbx.powerStates([APP.sbg])).get(APP.sbg)).toBe('suspended');
    await rbx.ensureRunning(APP.sbg);
  });
});
