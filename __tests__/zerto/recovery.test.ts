import { PermanentError } from '../../hooks/drivers/common/errors';
import { ZertoClient } from '../../hooks/drivers/zerto/client';
import { ZertoDriver } from '../../hooks/drivers/zerto/driver';
import { Exposure } from '../support/secret-scan';
import { quickRetry, recordRejection, simEndpoint, startSim, testSecrets, type SimHandle } from './sim';

const FAILBACK = 'VPG-SBG-TO-RBX';
const wait = { timeoutMs: 20_000, intervalMs: 50 };

describe('zerto driver reads and recovery operations', () => {
  const exposure = new Exposure();
  const rejection = recordRejection(exposure);
  let sim: SimHandle;
  let zerto: ZertoDriver;

  beforeAll(async () => {
    sim = await startSim();
    zerto = new ZertoDriver(new ZertoClient('rbx', simEndpoint(sim, 'rbx'), { log: exposure.log, retry: quickRetry }));
  });
  beforeEach(async () => {
    await sim.control('POST', '/reset');
  });
  afterAll(async () => {
    await zerto.client.close();
    await sim.close();
  });

  it('lists the VPGs with status names resolved from the lookup lists', async () => {
    const vpgs = await zerto.listVpgs();
    expect(vpgs.map((v) => `${v.name} ${v.statusName} ${v.sourceSite}->${v.targetSite}`).sort()).toEqual([
      'VPG-RBX-TO-SBG Recovered rbx->sbg',
      'VPG-SBG-TO-RBX MeetingSLA sbg->rbx',
    ]);
  });

  it('gets a VPG by name with its actual RPO', async () => {
    await sim.control('PATCH', `/vpgs/${FAILBACK}`, { actualRpoSeconds: 12 });
    expect(await zerto.actualRpoSeconds(FAILBACK)).toBe(12);
  });

  it('lists the VMs a VPG protects', async () => {
    expect((await zerto.vms(FAILBACK)).map((v) => v.name)).toEqual(['VM-DOCKER-APP-B-SBG', 'VM-MYSQL-APP-B-SBG']);
  });

  it('lists the alerts of a VPG', async () => {
    await sim.control('POST', '/alerts', { vpgName: FAILBACK, level: 'Warning', description: 'The journal is nearly full' });
    expect(await zerto.alerts(FAILBACK)).toEqual([expect.objectContaining({ level: 'Warning', description: 'The journal is nearly full' })]);
    expect(await zerto.alerts('VPG-RBX-TO-SBG')).toEqual([]);
  });

  it('reports a missing VPG as NotFoundError naming it', async () => {
    await expect(rejection(zerto.getVpg('VPG-NOPE'))).rejects.toThrow('zerto rbx: VPG VPG-NOPE not found');
  });

  it('tags a checkpoint once and finds it again on a second call', async () => {
    const first = await zerto.tagCheckpoint(FAILBACK, 'pra-failback-1');
    const second = await zerto.tagCheckpoint(FAILBACK, 'pra-failback-1');
    expect(second.id).toBe(first.id);
    expect((await zerto.checkpoints(FAILBACK)).filter((c) => c.tag === 'pra-failback-1')).toHaveLength(1);
    expect((await zerto.checkpointStats(FAILBACK)).latest?.tag).toBe('pra-failback-1');
  });

  it('moves a VPG, waits for MovingBeforeCommit, commits with reverse protection and sees it flipped and MeetingSLA', async () => {
    const task = await zerto.move(FAILBACK, { commitPolicy: 'none', reverseProtection: true });
    const before = await zerto.waitForBeforeCommit(FAILBACK, task, wait);
    expect(`${before.statusName}/${before.subStatusName}`).toBe('Moving/MovingBeforeCommit');
    await zerto.waitForTask(await zerto.commit(FAILBACK, { reverseProtection: true }), wait);
    const after = await zerto.waitForVpg(FAILBACK, 'MeetingSLA', (v) => v.statusName === 'MeetingSLA', wait);
    expect(`${after.sourceSite}->${after.targetSite}`).toBe('rbx->sbg');
    // The VPG now protects the VMs the Move created at RBX, under the protected VMs' names (the documented model).
    expect((await zerto.vms(FAILBACK)).map((v) => v.name)).toEqual(['VM-DOCKER-APP-B-SBG', 'VM-MYSQL-APP-B-SBG']);
    expect((await zerto.task(task)).state).toBe(6);
  });

  it('powers the protected VMs off, creates them at the recovery site and powers those on when a Move reaches BeforeCommit', async () => {
    await zerto.waitForBeforeCommit(FAILBACK, await zerto.move(FAILBACK), wait);
    expect((await sim.state()).powerEvents.map((e) => `${e.action} ${e.site} ${e.vms.join(',')}`)).toEqual([
      'powerOff sbg VM-DOCKER-APP-B-SBG,VM-MYSQL-APP-B-SBG',
      'create rbx VM-DOCKER-APP-B-SBG,VM-MYSQL-APP-B-SBG',
      'powerOn rbx VM-DOCKER-APP-B-SBG,VM-MYSQL-APP-B-SBG',
    ]);
  });

  it('rolls a Move back before commit: target VMs off and removed, source VMs on, VPG MeetingSLA on its original side', async () => {
    const move = await zerto.move(FAILBACK);
    await zerto.waitForBeforeCommit(FAILBACK, move, wait);
    await zerto.waitForTask(await zerto.rollback(FAILBACK), wait);
    const vpg = await zerto.getVpg(FAILBACK);
    expect(`${vpg.statusName} ${vpg.sourceSite}->${vpg.targetSite}`).toBe('MeetingSLA sbg->rbx');
    expect((await sim.state()).powerEvents.slice(3).map((e) => `${e.action} ${e.site}`)).toEqual(['powerOff rbx', 'remove rbx', 'powerOn sbg']);
    await expect(rejection(zerto.waitForTask(move, wait))).rejects.toThrow(/was stopped: Rolled back/);
  });

  it('fails over without touching the source VMs and commits with FailoverCommit', async () => {
    const checkpoint = await zerto.tagCheckpoint(FAILBACK, 'before-failover');
    const task = await zerto.failover(FAILBACK, { checkpointId: checkpoint.id });
    expect((await zerto.waitForBeforeCommit(FAILBACK, task, wait)).subStatusName).toBe('FailingOverBeforeCommit');
    expect((await sim.state()).powerEvents.map((e) => e.action)).toEqual(['create', 'powerOn']);
    await zerto.waitForTask(await zerto.commit(FAILBACK, { reverseProtection: false }), wait);
    expect((await zerto.getVpg(FAILBACK)).statusName).toBe('Recovered');
  });

  it('refuses to commit a VPG that has no recovery in progress', async () => {
    await expect(rejection(zerto.commit(FAILBACK))).rejects.toThrow(PermanentError);
  });

  it('surfaces the ZVM refusal of a Move on a VPG that does not replicate', async () => {
    await expect(rejection(zerto.move('VPG-RBX-TO-SBG'))).rejects.toThrow(/POST \/v1\/vpgs\/.*\/Move returned HTTP 400/);
  });

  it('leaves none of the test secrets in a log line or an error', () => {
    expect(exposure.lines.length).toBeGreaterThan(5);
    expect(exposure.leaked(testSecrets())).toEqual([]);
  });
});
