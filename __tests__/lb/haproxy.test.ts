import { writeFileSync } from 'node:fs';
import { NotFoundError, TransientError } from '../../hooks/drivers/common/errors';
import { HaproxyLoadBalancer } from '../../hooks/drivers/lb/haproxy';
import { HaproxyRuntimeApi } from '../../hooks/drivers/lb/haproxy-runtime';
import { pollUntil } from '../../hooks/drivers/common/retry';
import { testenv } from '../support/testenv';

const config = () => ({
  adminSocket: testenv('HAPROXY_SOCKET'),
  backend: testenv('HAPROXY_BACKEND'),
  servers: { rbx: testenv('HAPROXY_SERVER_RBX'), sbg: testenv('HAPROXY_SERVER_SBG') },
});

async function siteServing(): Promise<string> {
  const res = await fetch(testenv('HAPROXY_URL'));
  return ((await res.json()) as { site: string }).site;
}

describe('HAProxy load balancer (real HAProxy 2.6, runtime API)', () => {
  const lb = () => new HaproxyLoadBalancer(config());
  afterEach(async () => {
    await lb().setServer('rbx', 'ready', 1);
    await lb().setServer('sbg', 'ready', 1);
  });

  it('switches traffic to one site and reads the state back', async () => {
    await lb().switchTo('sbg');
    expect(await lb().servers()).toEqual([
      { site: 'rbx', server: 'web-rbx', state: 'maint', weight: 1 },
      { site: 'sbg', server: 'web-sbg', state: 'ready', weight: 1 },
    ]);
    expect((await lb().verify('sbg')).ok).toBe(true);
    expect(await siteServing()).toBe('sbg');
  });

  it('verifies false while the other site still takes traffic', async () => {
    await lb().setServer('rbx', 'ready');
    await lb().setServer('sbg', 'ready');
    const verification = await lb().verify('rbx');
    expect(verification.ok).toBe(false);
    expect(verification.observed).toContain('sbg: be_app/web-sbg ready weight 1 (running)');
  });

  it('reads back drain and a new weight', async () => {
    await lb().setServer('rbx', 'drain', 7);
    expect((await lb().servers()).find((s) => s.site === 'rbx')).toEqual({ site: 'rbx', server: 'web-rbx', state: 'drain', weight: 7 });
  });

  it('keeps runtime states across a reload through the server-state file', async () => {
    await lb().switchTo('sbg');
    const api = new HaproxyRuntimeApi(testenv('HAPROXY_SOCKET'));
    writeFileSync(testenv('HAPROXY_STATE_FILE'), (await api.execute('show servers state')) + '\n');
    const workerPid = async () => /^Pid: (\d+)$/m.exec(await api.execute('show info'))?.[1];
    const oldWorker = await workerPid();
    await new HaproxyRuntimeApi(testenv('HAPROXY_MASTER_SOCKET')).execute('reload');
    await pollUntil(async () => ((await workerPid()) !== oldWorker ? true : undefined), { timeoutMs: 10000, intervalMs: 50, system: 'test', what: 'new HAProxy worker' });
    expect((await lb().verify('sbg')).ok).toBe(true);
  });

  it('drives the same runtime API over host:port', async () => {
    const overTcp = new HaproxyLoadBalancer({ ...config(), adminSocket: testenv('HAPROXY_ADMIN_ADDRESS') });
    await overTcp.switchTo('rbx');
    expect((await lb().verify('rbx')).ok).toBe(true);
  });

  it('names a server that is not in the backend', async () => {
    const wrong = new HaproxyLoadBalancer({ ...config(), servers: { rbx: 'web-rbx', sbg: 'web-nowhere' } });
    await expect(wrong.servers()).rejects.toThrow(NotFoundError);
    await expect(wrong.servers()).rejects.toThrow(/server web-nowhere \(site sbg\) is not in backend be_app/);
    await expect(wrong.setServer('sbg', 'maint')).rejects.toThrow(/No such server/);
  });

  it('reports an unknown backend as not found', async () => {
    await expect(new HaproxyLoadBalancer({ ...config(), backend: 'be_missing' }).servers()).rejects.toThrow(NotFoundError);
  });

  it('reports an unreachable runtime API as transient', async () => {
    await expect(new HaproxyLoadBalancer({ ...config(), adminSocket: '/nonexistent/admin.sock' }).servers()).rejects.toThrow(TransientError);
  });
});
