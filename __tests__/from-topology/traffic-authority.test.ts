import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { authorityFromTopology } from '../../hooks/drivers/authority/from-topology';
import { RunLockHeldError } from '../../hooks/drivers/authority';
import { createEtcdClient } from '../../hooks/drivers/common/etcd';
import { loadBalancerFromTopology } from '../../hooks/drivers/lb/from-topology';
import { tempDirs } from '../helpers/tmp';
import { ovhIplbServers, ovhTopologyCredentials } from '../support/dns-testenv';
import { removeEtcdKeys, testEtcdKey } from '../support/etcd';
import { exclusive } from '../support/exclusive';
import { testenv } from '../support/testenv';
import { testenvTopology } from '../support/testenv-topology';

/** The load balancer and the authority a topology declares, against the testenv's HAProxy, OVH simulator and etcd. */

const decision = { active: 'sbg', epoch: 1, by: 'test', at: '2026-05-01T10:00:00.000Z', reason: 'from the topology' };

describe('load balancer from the topology', () => {
  it('is absent when the topology moves traffic by DNS only', () => {
    expect(loadBalancerFromTopology(testenvTopology())).toBeUndefined();
  });

  it('reads the HAProxy servers the topology maps to sites', async () => {
    const lb = loadBalancerFromTopology(
      testenvTopology((t) => {
        t.traffic.lb = { provider: 'haproxy', adminSocket: testenv('HAPROXY_SOCKET'), backend: testenv('HAPROXY_BACKEND'), servers: { rbx: testenv('HAPROXY_SERVER_RBX'), sbg: testenv('HAPROXY_SERVER_SBG') } };
      }),
    );
    expect((await lb!.servers()).map((s) => `${s.site}=${s.server}`)).toEqual([`rbx=${testenv('HAPROXY_SERVER_RBX')}`, `sbg=${testenv('HAPROXY_SERVER_SBG')}`]);
  });

  describe('OVH IPLB', () => {
    exclusive('ovh-simulator'); // faults, resets and clock skew are global to the simulator

    it('reads the farm servers with the signed client the topology declares', async () => {
      const lb = loadBalancerFromTopology(
        testenvTopology((t) => {
          t.traffic.lb = {
            provider: 'ovh-iplb',
            serviceName: testenv('OVH_IPLB_SERVICE'),
            farmId: Number(testenv('OVH_IPLB_FARM')),
            servers: ovhIplbServers(),
            ...ovhTopologyCredentials(),
          };
        }),
      );
      expect((await lb!.servers()).map((s) => s.site).sort()).toEqual(['rbx', 'sbg']);
    });
  });
});

describe('authority from the topology', () => {
  const dirs = tempDirs();
  afterAll(() => dirs.removeAll());

  it('keeps a relative file authority under the project directory', async () => {
    const project = dirs.make('pra-authority-');
    const authority = authorityFromTopology(testenvTopology((t) => (t.authority = { backend: 'file', path: '.pra/authority.json' })), project);
    await authority.compareAndSet(0, decision);
    expect(existsSync(join(project, '.pra/authority.json'))).toBe(true);
    await expect(authority.read()).resolves.toEqual(decision);
    await authority.close();
  });

  it('uses the etcd key and run lock TTL the topology declares', async () => {
    const key = testEtcdKey('authority');
    const topology = testenvTopology((t) => (t.authority = { backend: 'etcd', endpoints: [testenv('ETCD_ENDPOINT')], key, runLockTtlSeconds: 3 }));
    const [first, second] = [authorityFromTopology(topology, '/'), authorityFromTopology(topology, '/')];
    const etcd = createEtcdClient({ endpoints: [testenv('ETCD_ENDPOINT')] });
    try {
      await first.compareAndSet(0, decision);
      expect(JSON.parse((await etcd.get(key).string()) ?? '{}')).toEqual(decision);
      const lock = await first.acquireRunLock({ holder: 'alice', reason: 'test' });
      const refusal = await second.acquireRunLock({ holder: 'bob', reason: 'test' }).catch((e: Error) => e);
      expect(refusal).toBeInstanceOf(RunLockHeldError);
      expect((refusal as Error).message).toContain("(lease TTL 3 s)");
      await lock.release();
    } finally {
      etcd.close();
      await removeEtcdKeys(key);
      await Promise.all([first.close(), second.close()]);
    }
  });
});
