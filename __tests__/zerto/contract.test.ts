import { ZertoClient } from '../../hooks/drivers/zerto/client';
import { ZertoDriver } from '../../hooks/drivers/zerto/driver';
import { VpgReconciler } from '../../hooks/drivers/zerto/reconcile';
import { failoverIps, vpgSpecs } from '../../topology';
import { endpointOf, requestProblems, responseProblems } from '../../testenv/sims/zerto/contract';
import document from '../../testenv/sims/zerto/schemas/zvm-api.json';
import { Exposure } from '../support/secret-scan';
import { testenvTopology } from '../support/testenv-topology';
import { quickRetry, recordRejection, simEndpoint, startSim, testSecrets, type SimHandle } from './sim';

/**
 * The contract with the ZVM, as Zerto publishes it (testenv/sims/zerto/schemas/zvm-api.json, derived from the
 * 10.0 U6 OpenAPI document), checked by ajv: every request the driver sends and every answer the simulator
 * gives conform, and the simulator refuses what the document does not allow.
 */
const FAILBACK = 'VPG-SBG-TO-RBX';
const wait = { timeoutMs: 10_000, intervalMs: 50 };

describe('zerto API contract', () => {
  const exposure = new Exposure();
  const rejection = recordRejection(exposure);
  let sim: SimHandle;
  let zerto: ZertoDriver;

  beforeAll(async () => {
    sim = await startSim({ withoutVpgs: ['VPG-RBX-TO-SBG'] });
    zerto = new ZertoDriver(new ZertoClient('rbx', simEndpoint(sim, 'rbx'), { log: exposure.log, retry: quickRetry }));
  });

  afterAll(async () => {
    await zerto.client.close();
    await sim.close();
    expect(exposure.leaked(testSecrets())).toEqual([]);
  });

  it('every request the driver sends and every answer it reads conform to the published document', async () => {
    const topology = testenvTopology();
    const specs = vpgSpecs(topology);
    const reconciler = new VpgReconciler(zerto);
    for (const spec of specs) await reconciler.apply(spec, await reconciler.plan(spec, failoverIps(topology, spec.name)), failoverIps(topology, spec.name));
    await reconciler.plan({ ...specs.find((s) => s.name === FAILBACK)!, rpoTargetSeconds: 60 });
    await sim.control('POST', '/alerts', { vpgName: FAILBACK, level: 'Warning', description: 'The journal is nearly full' });
    await Promise.all([zerto.listVpgs(), zerto.vms(FAILBACK), zerto.alerts(FAILBACK), zerto.checkpointStats(FAILBACK)]);
    const checkpoint = await zerto.tagCheckpoint(FAILBACK, 'pra-contract');
    await zerto.waitForTask(await zerto.failoverTest(FAILBACK, { checkpointId: checkpoint.id }), wait);
    await zerto.waitForTask(await zerto.stopFailoverTest(FAILBACK, { success: true, summary: 'contract test' }), wait);
    await zerto.waitForBeforeCommit(FAILBACK, await zerto.move(FAILBACK), wait);
    await zerto.waitForTask(await zerto.rollback(FAILBACK), wait);
    await zerto.waitForVpg(FAILBACK, 'MeetingSLA', (v) => v.statusName === 'MeetingSLA', wait);
    await zerto.waitForBeforeCommit(FAILBACK, await zerto.failover(FAILBACK, { checkpointId: checkpoint.id }), wait);
    await zerto.waitForTask(await zerto.rollback(FAILBACK), wait);
    await zerto.waitForVpg(FAILBACK, 'MeetingSLA', (v) => v.statusName === 'MeetingSLA', wait);
    await zerto.waitForBeforeCommit(FAILBACK, await zerto.move(FAILBACK), wait);
    await zerto.waitForTask(await zerto.commit(FAILBACK, { reverseProtection: true }), wait);
    await zerto.waitForVpg(FAILBACK, 'MeetingSLA', (v) => v.statusName === 'MeetingSLA', wait);
    await zerto.waitForBeforeCommit(FAILBACK, await zerto.failover(FAILBACK), wait);
    await zerto.waitForTask(await zerto.commit(FAILBACK, { reverseProtection: false }), wait);

    const calls = (await sim.state()).requests.filter((r) => r.path.startsWith('/v1/'));
    const problems = calls.flatMap((r) => {
      const found = [requestProblems(r.method, r.path, r.body), r.status === 200 ? responseProblems(r.method, r.path, r.answer) : undefined];
      return found.filter((p) => p !== undefined).map((p) => `${r.method} ${r.path} (${r.status}): ${p}`);
    });
    expect(problems).toEqual([]);
    expect(calls.filter((r) => r.status !== 200)).toEqual([]);
    const covered = new Set(calls.map((r) => endpointOf(r.method, r.path)?.name ?? `undocumented ${r.method} ${r.path}`));
    expect([...covered].filter((name) => name.startsWith('undocumented'))).toEqual([]);
    // Every documented endpoint the schema file holds is one the driver used here.
    expect([...covered].sort()).toEqual(Object.keys(document.endpoints).sort());
  });

  it('refuses a misspelled field with 400 and a Message naming it', async () => {
    const vpg = await zerto.getVpg(FAILBACK);
    const sent = zerto.client.post(`/v1/vpgs/${vpg.id}/FailoverTestStop`, { FailoverTestSuccess: true, FailoverTestSumary: 'typo' });
    await expect(rejection(sent)).rejects.toThrow(/returned HTTP 400/);
    const [refused] = (await sim.state()).requests.filter((r) => r.path.endsWith('/FailoverTestStop') && r.status === 400);
    expect(refused.answer).toEqual({ Message: expect.stringContaining('failovertestsumary is not a field of this request') });
  });

  it('refuses the journal field the driver used to write, and a value of the wrong type', async () => {
    const settingsId = await zerto.client.post<string>('/v1/vpgSettings', {});
    await expect(rejection(zerto.client.put(`/v1/vpgSettings/${settingsId}`, { Journal: { DefaultDatastoreIdentifier: 'site-rbx.datastore-1' } }))).rejects.toThrow(/HTTP 400/);
    const vpg = await zerto.getVpg(FAILBACK);
    await expect(rejection(zerto.client.post(`/v1/vpgs/${vpg.id}/Move`, { CommitPolicy: 'None' }))).rejects.toThrow(/HTTP 400/);
    await zerto.client.delete(`/v1/vpgSettings/${settingsId}`);
  });

  it('binds field names case-insensitively, as the ZVM does', () => {
    expect(requestProblems('POST', '/v1/vpgs/x/FailoverTestStop', { failoverTestSuccess: false, FAILOVERTESTSUMMARY: 'notes' })).toBeUndefined();
    expect(requestProblems('POST', '/v1/vpgs/x/Move', { commitPolicy: 2, ReverseProtection: true })).toBeUndefined();
  });

  it('cites the vendor document it derives from', () => {
    expect(document.$comment).toMatch(/virtkot\/zerto-python-library.*10\.0_U6_Swagger\.json/);
  });
});
