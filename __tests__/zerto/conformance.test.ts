import { ZertoClient } from '../../hooks/drivers/zerto/client';
import { ZertoDriver } from '../../hooks/drivers/zerto/driver';
import { isRecoveredWithoutProtection } from '../../hooks/drivers/zerto/model';
import { VpgReconciler } from '../../hooks/drivers/zerto/reconcile';
import { vpgSpecs } from '../../topology';
import { Exposure } from '../support/secret-scan';
import { testenvTopology } from '../support/testenv-topology';
import { quickRetry, recordRejection, simEndpoint, startSim, testSecrets, type SimHandle } from './sim';

/**
 * The driver against the ZVM as Zerto publishes it (docs/zerto.md lists the sources): each test is one of the
 * mismatches found between the driver, the simulator and the vendor's material.
 */
const FAILBACK = 'VPG-SBG-TO-RBX';
const wait = { timeoutMs: 10_000, intervalMs: 50 };
const specOf = (name: string) => vpgSpecs(testenvTopology()).find((s) => s.name === name)!;

describe('zerto driver against the published API', () => {
  const exposure = new Exposure();
  const rejection = recordRejection(exposure);
  let sim: SimHandle;
  let zerto: ZertoDriver;
  const requests = async (pattern: RegExp, method = 'POST') => (await sim.state()).requests.filter((r) => r.method === method && pattern.test(r.path));

  beforeEach(async () => {
    sim = await startSim({ withoutVpgs: ['VPG-RBX-TO-SBG'] });
    zerto = new ZertoDriver(new ZertoClient('rbx', simEndpoint(sim, 'rbx'), { log: exposure.log, retry: quickRetry }));
  });

  afterEach(async () => {
    await zerto.client.close();
    await sim.close();
  });


  it('finds the VMs a VPG already protects: the site lists only unprotected ones, /v1/vms the others', async () => {
    const sbg = (await zerto.client.get<Array<{ VmName: string }>>('/v1/virtualizationsites/site-sbg/vms')).map((v) => v.VmName);
    expect(sbg).not.toContain('VM-DOCKER-APP-B-SBG');
    const plan = await new VpgReconciler(zerto).plan({ ...specOf(FAILBACK), rpoTargetSeconds: 120 });
    expect(plan).toEqual({ action: 'edit', name: FAILBACK, changes: [{ field: 'RPO', from: '300 s', to: '120 s' }] });
  });

  it('never sends a Move twice: when the answer is lost, the task list shows it started and that task is adopted', async () => {
    await sim.control('POST', '/faults', { path: '/Move$', method: 'POST', kind: 'lose', count: 1 });
    const task = await zerto.move(FAILBACK);
    expect(await requests(/\/Move$/)).toHaveLength(1);
    expect((await zerto.waitForBeforeCommit(FAILBACK, task, wait)).subStatusName).toBe('MovingBeforeCommit');
  });

  it('sends a Move again only when the ZVM refused it and shows no task', async () => {
    await sim.control('POST', '/faults', { path: '/Move$', method: 'POST', kind: 'status', status: 503, count: 1 });
    const task = await zerto.move(FAILBACK);
    expect((await requests(/\/Move$/)).map((r) => r.status)).toEqual([503, 200]);
    await zerto.waitForBeforeCommit(FAILBACK, task, wait);
  });

  it('gets a 400 for a second action on a VPG with an operation in progress', async () => {
    await zerto.move(FAILBACK);
    await expect(rejection(zerto.failover(FAILBACK))).rejects.toThrow(/Failover returned HTTP 400/);
  });

  it('sends no Before Commit wait with commit policy None, and 3600 s by default otherwise', async () => {
    await zerto.waitForBeforeCommit(FAILBACK, await zerto.move(FAILBACK), wait);
    await zerto.waitForTask(await zerto.rollback(FAILBACK), wait);
    await zerto.waitForVpg(FAILBACK, 'MeetingSLA', (v) => v.statusName === 'MeetingSLA', wait);
    await zerto.failover(FAILBACK, { commitPolicy: 'rollback' });
    const [move, failover] = [(await requests(/\/Move$/))[0].body as Record<string, unknown>, (await requests(/\/Failover$/))[0].body as Record<string, unknown>];
    expect(move).not.toHaveProperty('CommitPolicyTimeout');
    expect(failover).toMatchObject({ CommitPolicy: 0, TimeToWaitBeforeShutdownInSec: 3600 });
  });

  it('is refused by the ZVM for a Before Commit wait outside 300-86400 s, and refuses to send one', async () => {
    const vpg = await zerto.getVpg(FAILBACK);
    await expect(rejection(zerto.client.post(`/v1/vpgs/${vpg.id}/Move`, { CommitPolicy: 1, CommitPolicyTimeout: 0 }))).rejects.toThrow(/HTTP 400/);
    await expect(rejection(zerto.move(FAILBACK, { commitPolicy: 'commit', commitPolicyTimeoutSeconds: 60 }))).rejects.toThrow(/outside 300-86400/);
    expect(await requests(/\/Move$/)).toHaveLength(1);
  });

  it('creates a VPG with the journal datastore, the recovery folder and the failover-test network the API names', async () => {
    const spec = specOf('VPG-RBX-TO-SBG');
    const reconciler = new VpgReconciler(zerto);
    await reconciler.apply(spec, await reconciler.plan(spec));
    const [put] = await requests(/^\/v1\/vpgSettings\/[^/]+$/i, 'PUT');
    expect(put.body).toMatchObject({
      Journal: { DatastoreIdentifier: 'site-sbg.datastore-1' },
      Recovery: { DefaultFolderIdentifier: 'site-sbg.group-v-1' },
      Networks: { FailoverTest: { Hypervisor: { DefaultNetworkIdentifier: 'site-sbg.network-2' } } },
    });
    expect(put.body).not.toHaveProperty('Journal.DefaultDatastoreIdentifier');
  });

  it('refuses to create a VPG whose site declares no failover-test network', async () => {
    const spec = specOf('VPG-RBX-TO-SBG');
    await expect(rejection(new VpgReconciler(zerto).plan({ ...spec, recoverySite: { ...spec.recoverySite, testNetwork: undefined } }))).rejects.toThrow(/declare sites\[sbg\]\.testNetwork/);
  });

  it('tags a checkpoint by waiting on its task, reading only a window of checkpoints', async () => {
    const tagged = await zerto.tagCheckpoint(FAILBACK, 'pra-run-1');
    expect(tagged.tag).toBe('pra-run-1');
    expect(await zerto.tagCheckpoint(FAILBACK, 'pra-run-1')).toEqual(tagged);
    const reads = await requests(/\/checkpoints(\?|$)/, 'GET');
    expect(reads.length).toBeLessThanOrEqual(3);
    for (const r of reads) expect(r.path).toMatch(/\?startDate=/);
    expect(await requests(/^\/v1\/tasks\/task-/, 'GET')).not.toHaveLength(0);
    expect(await requests(/\/checkpoints$/)).toHaveLength(1);
  });

  it('reads 10.x VPGs: site names, checkpoint stats, status 4 RpoNotMeetingSLA, Recovered or Needs Configuration', async () => {
    const vpg = await zerto.getVpg(FAILBACK);
    expect([vpg.sourceSite, vpg.targetSite]).toEqual(['sbg', 'rbx']);
    await zerto.tagCheckpoint(FAILBACK, 'pra-stats');
    expect((await zerto.checkpointStats(FAILBACK)).latest?.tag).toBe('pra-stats');
    await sim.control('PATCH', `/vpgs/${FAILBACK}`, { status: 4 });
    expect((await zerto.getVpg(FAILBACK)).statusName).toBe('RpoNotMeetingSLA');
    expect(await zerto.client.get('/v1/vpgs/substatuses')).toHaveLength(33);
    await sim.control('PATCH', `/vpgs/${FAILBACK}`, { status: 2, subStatus: 7 });
    expect(isRecoveredWithoutProtection(await zerto.getVpg(FAILBACK))).toBe(true);
  });

  it('logs out of Keycloak on close: the session ends at once', async () => {
    await zerto.listVpgs();
    await zerto.client.close();
    const logout = (await requests(/openid-connect\/logout$/))[0];
    expect(logout.status).toBe(204);
    zerto = new ZertoDriver(new ZertoClient('rbx', simEndpoint(sim, 'rbx'), { log: exposure.log, retry: quickRetry }));
  });

  it('never logs a secret', () => {
    expect(exposure.lines.length).toBeGreaterThan(5);
    expect(exposure.leaked(testSecrets())).toEqual([]);
  });
});
