import type { PowerState, VsphereClient } from '../../hooks/drivers/vsphere';
import { ZertoClient } from '../../hooks/drivers/zerto/client';
import { ZertoDriver } from '../../hooks/drivers/zerto/driver';
import { exclusive } from '../support/exclusive';
import { Exposure } from '../support/secret-scan';
import { siteVcenter } from '../support/site-vcenter';
import { testenv } from '../support/testenv';
import { quickRetry, simEndpoint, startSim, testSecrets, type SimHandle } from './sim';

/**
 * The simulator powering the example topology's VMs in the vCenter simulators, in the seeds' peer-name model
 * (the documented model, which creates and removes VMs: recovered-names.test.ts).
 */

exclusive('vcenter-example-vms'); // every file that changes these VMs' power holds it

const FAILBACK = 'VPG-SBG-TO-RBX';
const RBX_VMS = ['VM-DOCKER-APP-A-RBX', 'VM-MYSQL-APP-A-RBX'];
const SBG_VMS = ['VM-DOCKER-APP-B-SBG', 'VM-MYSQL-APP-B-SBG'];
const wait = { timeoutMs: 20_000, intervalMs: 50 };

describe('zerto simulator recoveries in vCenter', () => {
  const exposure = new Exposure();
  let sim: SimHandle;
  let zerto: ZertoDriver;
  const vcenter: Record<'rbx' | 'sbg', VsphereClient> = {} as Record<'rbx' | 'sbg', VsphereClient>;

  const states = async (site: 'rbx' | 'sbg', vms: readonly string[]): Promise<PowerState[]> => {
    const found = await vcenter[site].powerStates(vms);
    return vms.map((vm) => found.get(vm)!);
  };
  /** The state after the disaster, which every test starts from and the file leaves behind. */
  const initialPower = async () => {
    await Promise.all([...SBG_VMS.map((vm) => vcenter.sbg.ensureRunning(vm)), ...RBX_VMS.map((vm) => vcenter.rbx.ensureOff(vm, { guestShutdownTimeoutMs: 0 }))]);
  };

  beforeAll(async () => {
    for (const site of ['rbx', 'sbg'] as const) vcenter[site] = siteVcenter(site, { log: exposure.log });
    sim = await startSim({ vcenter: true, recoveredNames: 'peer' });
    await sim.control('PUT', '/delays', { syncMs: 50, commitMs: 50, reverseProtectionMs: 50 });
    zerto = new ZertoDriver(new ZertoClient('rbx', simEndpoint(sim, 'rbx'), { log: exposure.log, retry: quickRetry }));
  });
  beforeEach(async () => {
    await sim.control('POST', '/reset');
    await sim.control('PUT', '/delays', { syncMs: 50, commitMs: 50, reverseProtectionMs: 50 });
    await initialPower();
  });
  afterAll(async () => {
    await initialPower();
    await zerto.client.close();
    await sim.close();
    await Promise.all(Object.values(vcenter).map((c) => c.close()));
  });

  it('powers the RBX VMs on and the SBG VMs off in vCenter when a Move reaches MovingBeforeCommit', async () => {
    expect((await zerto.waitForBeforeCommit(FAILBACK, await zerto.move(FAILBACK), wait)).subStatusName).toBe('MovingBeforeCommit');
    expect(await states('rbx', RBX_VMS)).toEqual(['poweredOn', 'poweredOn']);
    expect(await states('sbg', SBG_VMS)).toEqual(['poweredOff', 'poweredOff']);
  });

  it('powers the RBX VMs on and leaves the SBG VMs running on a Failover with shutdown policy none', async () => {
    const task = await zerto.failover(FAILBACK, { shutdownPolicy: 'none' });
    expect((await zerto.waitForBeforeCommit(FAILBACK, task, wait)).subStatusName).toBe('FailingOverBeforeCommit');
    expect(await states('rbx', RBX_VMS)).toEqual(['poweredOn', 'poweredOn']);
    expect(await states('sbg', SBG_VMS)).toEqual(['poweredOn', 'poweredOn']);
  });

  it('powers the RBX VMs off again and the SBG VMs back on when a Move is rolled back before commit', async () => {
    await zerto.waitForBeforeCommit(FAILBACK, await zerto.move(FAILBACK), wait);
    await zerto.waitForTask(await zerto.rollback(FAILBACK), wait);
    expect(await states('rbx', RBX_VMS)).toEqual(['poweredOff', 'poweredOff']);
    expect(await states('sbg', SBG_VMS)).toEqual(['poweredOn', 'poweredOn']);
  });

  it('powers the RBX VMs off again when a Failover is rolled back before commit', async () => {
    await zerto.waitForBeforeCommit(FAILBACK, await zerto.failover(FAILBACK), wait);
    await zerto.waitForTask(await zerto.rollback(FAILBACK), wait);
    expect(await states('rbx', RBX_VMS)).toEqual(['poweredOff', 'poweredOff']);
  });

  it('leaves none of the test secrets in a log line or an error', () => {
    expect(exposure.leaked([...testSecrets(), testenv('VCENTER_PASSWORD')])).toEqual([]);
  });
});
