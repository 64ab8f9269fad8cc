import { PermanentError, TimeoutError, TransientError } from '../../hooks/drivers/common/errors';
import { ZertoClient } from '../../hooks/drivers/zerto/client';
import { ZertoDriver } from '../../hooks/drivers/zerto/driver';
import { Exposure } from '../support/secret-scan';
import { quickRetry, recordRejection, simEndpoint, startSim, testSecrets, type SimHandle } from './sim';

describe('zerto driver under faults', () => {
  const exposure = new Exposure();
  const rejection = recordRejection(exposure);
  let sim: SimHandle;
  const drivers: ZertoDriver[] = [];
  const driver = (requestTimeoutMs?: number) => {
    const d = new ZertoDriver(new ZertoClient('rbx', simEndpoint(sim, 'rbx', { requestTimeoutMs }), { log: exposure.log, retry: quickRetry }));
    drivers.push(d);
    return d;
  };
  const calls = async (path: string) => (await sim.state()).requests.filter((r) => r.path === path);

  beforeAll(async () => {
    sim = await startSim();
  });
  beforeEach(async () => {
    await sim.control('POST', '/reset');
  });
  afterAll(async () => {
    await Promise.all(drivers.map((d) => d.client.close()));
    await sim.close();
  });

  it('retries a 5xx and succeeds when the ZVM recovers', async () => {
    await sim.control('POST', '/faults', { path: '^/v1/vpgs$', kind: 'status', status: 503, count: 2 });
    expect(await driver().listVpgs()).toHaveLength(2);
    expect((await calls('/v1/vpgs')).map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('surfaces a 5xx as TransientError once the attempts are spent', async () => {
    await sim.control('POST', '/faults', { path: '^/v1/vpgs$', kind: 'status', status: 500 });
    await expect(rejection(driver().listVpgs())).rejects.toThrow(new TransientError('zerto rbx', 'GET /v1/vpgs returned HTTP 500'));
    expect(await calls('/v1/vpgs')).toHaveLength(quickRetry.attempts);
  });

  it('surfaces a 4xx at once, without retrying', async () => {
    await sim.control('POST', '/faults', { path: '^/v1/vpgs$', kind: 'status', status: 400 });
    await expect(rejection(driver().listVpgs())).rejects.toThrow(PermanentError);
    expect(await calls('/v1/vpgs')).toHaveLength(1);
  });

  it('times out a call slower than the request timeout and surfaces a TimeoutError', async () => {
    await sim.control('POST', '/faults', { path: '^/v1/vpgs$', kind: 'latency', latencyMs: 1500 });
    await expect(rejection(driver(200).listVpgs())).rejects.toThrow(TimeoutError);
  });

  it('retries a dropped connection', async () => {
    await sim.control('POST', '/faults', { path: '^/v1/vpgs$', kind: 'drop', count: 1 });
    expect(await driver().listVpgs()).toHaveLength(2);
  });

  it('retries a login the token endpoint answered with a 5xx', async () => {
    await sim.control('POST', '/faults', { path: 'openid-connect/token$', kind: 'status', status: 502, count: 1 });
    expect(await driver().listVpgs()).toHaveLength(2);
  });

  it('names statuses from StatusDescription when the ZVM has no lookup lists', async () => {
    await sim.control('POST', '/faults', { path: '^/v1/vpgs/(sub)?statuses$', kind: 'status', status: 404 });
    const vpg = await driver().getVpg('VPG-SBG-TO-RBX');
    expect(vpg.statusName).toBe('MeetingSLA');
    expect(vpg.subStatusName).toBe('SubStatus0');
  });

  it('ends the wait for BeforeCommit with the reason when the recovery task was stopped', async () => {
    const zerto = driver();
    const move = await zerto.move('VPG-SBG-TO-RBX');
    await zerto.waitForBeforeCommit('VPG-SBG-TO-RBX', move, { timeoutMs: 10_000, intervalMs: 20 });
    await zerto.waitForTask(await zerto.rollback('VPG-SBG-TO-RBX'), { timeoutMs: 10_000, intervalMs: 20 });
    await expect(rejection(zerto.waitForBeforeCommit('VPG-SBG-TO-RBX', move, { timeoutMs: 10_000, intervalMs: 20 }))).rejects.toThrow('zerto rbx: task Move was stopped: Rolled back');
  });

  it('leaves none of the test secrets in a log line or an error', () => {
    expect(exposure.lines.length).toBeGreaterThan(5);
    expect(exposure.leaked(testSecrets())).toEqual([]);
  });
});
