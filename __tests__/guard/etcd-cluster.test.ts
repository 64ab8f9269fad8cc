import { execFileSync } from 'node:child_process';
import { Etcd3 } from 'etcd3';
import { EtcdCluster } from '../../testenv/etcd-cluster';
import { tempDirs } from '../helpers/tmp';
import { testEtcdKey } from '../support/etcd';
import { testenv } from '../support/testenv';
import { Guest, withGuest } from './guest';

/**
 * The guard's etcd source against 3-member clusters: the testenv's (read through any member) and a private one
 * whose members this file freezes (SIGSTOP: a member cut off by the network, nothing answers).
 */
async function decide(guest: Guest): Promise<{ decision: string; reason: string }> {
  await guest.run(['run', '--name', 'job', '--', 'true']);
  const [line] = guest.ledger();
  return { decision: line.decision, reason: line.reason };
}

function configure(guest: Guest, endpoints: readonly string[], key: string): void {
  guest.config({ sources: 'etcd', etcd_endpoints: endpoints.join(','), etcd_key: key, etcd_timeout_ms: 700 });
  guest.site('rbx');
}

/** What a serializable read (the member's local copy, no quorum asked) returns: the stale value the guard must not trust. */
function serializableRead(endpoint: string, key: string): string {
  const body = JSON.stringify({ key: Buffer.from(key).toString('base64'), serializable: true });
  const response = JSON.parse(execFileSync('curl', ['-sS', '--max-time', '2', '-d', body, `${endpoint}/v3/kv/range`]).toString()) as { kvs?: { value: string }[] };
  return Buffer.from(response.kvs?.[0]?.value ?? '', 'base64').toString('utf8');
}

it('reads the active site from the testenv cluster through any of its members', async () => {
  const endpoints = testenv('ETCD_CLUSTER_ENDPOINTS').split(',');
  expect(endpoints).toHaveLength(3);
  const key = testEtcdKey('active-site');
  const client = new Etcd3({ hosts: endpoints });
  try {
    await client.put(key).value('active=rbx\nepoch=4\n');
    for (const endpoint of endpoints) {
      await withGuest('dash', async (guest) => {
        configure(guest, [endpoint], key);
        expect(await decide(guest)).toEqual({ decision: 'allow', reason: 'active' });
      });
    }
  } finally {
    await client.delete().prefix(key);
    client.close();
  }
});

describe('a private 3-member cluster with members cut off', () => {
  const dirs = tempDirs();
  let cluster: EtcdCluster;
  let client: Etcd3;
  const key = '/pra/active-site';

  beforeAll(async () => {
    cluster = await EtcdCluster.start(dirs.make('pra-etcd-cluster-'));
    client = new Etcd3({ hosts: cluster.endpoints });
    await client.put(key).value('active=rbx\nepoch=7\n');
  }, 60_000);
  afterAll(() => {
    client?.close();
    cluster?.stop();
    dirs.removeAll();
  });

  it('reads from the next member when one is cut off from the guest, as long as the others hold quorum', async () => {
    // A follower is cut off from the guest (listed first, so the guard tries it first): freezing the leader
    // would also test an election racing the guard's 1 s timeout, which is not this case.
    const leader = await cluster.waitForLeader();
    const cut = cluster.members.find((m) => m.name !== leader.name)!;
    cluster.freeze(cut.name);
    try {
      await withGuest('dash', async (guest) => {
        configure(guest, [cut.clientUrl, ...cluster.members.filter((m) => m !== cut).map((m) => m.clientUrl)], key);
        expect(await decide(guest)).toEqual({ decision: 'allow', reason: 'active' });
      });
    } finally {
      cluster.thaw(cut.name);
    }
  });

  it('denies when the member it reaches has lost its quorum, although that member still holds the value', async () => {
    const [alone, ...others] = cluster.members;
    for (const m of others) cluster.freeze(m.name);
    try {
      // The member still has the value: a serializable read would allow the job on a stale decision.
      expect(serializableRead(alone.clientUrl, key)).toBe('active=rbx\nepoch=7\n');
      await withGuest('dash', async (guest) => {
        configure(guest, [alone.clientUrl], key);
        expect(await decide(guest)).toEqual({ decision: 'deny', reason: expect.stringMatching(/^etcd-(timeout|unreachable)$/) });
      });
      await withGuest('bash', async (guest) => {
        configure(guest, cluster.endpoints, key); // every member listed: none answers a linearizable read
        expect(await decide(guest)).toEqual({ decision: 'deny', reason: expect.stringMatching(/^etcd-(timeout|unreachable)$/) });
      });
    } finally {
      for (const m of others) cluster.thaw(m.name);
    }
  }, 60_000);
});
