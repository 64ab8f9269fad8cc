import { createServer, type Server, type Socket } from 'node:net';
import { Etcd3 } from 'etcd3';
import { freePort } from '../../testenv/core';
import { testEtcdKey } from '../support/etcd';
import { testenv } from '../support/testenv';
import { Guest, SHELLS, withGuest } from './guest';

/** The etcd source against the real etcd of the local environment (started by jest's global setup). */

let etcd: Etcd3;
beforeAll(() => {
  etcd = new Etcd3({ hosts: testenv('ETCD_ENDPOINT') });
});
afterAll(() => etcd.close());

/** A guest at RBX reading only etcd, from a key of its own. */
function etcdGuest(guest: Guest, endpoints: string, timeoutMs = 1000): string {
  const key = testEtcdKey('active-site');
  guest.config({ sources: 'etcd', etcd_endpoints: endpoints, etcd_key: key, etcd_timeout_ms: timeoutMs });
  guest.site('rbx');
  return key;
}

async function decide(guest: Guest): Promise<{ decision: string; reason: string; epoch?: number }> {
  const result = await guest.run(['run', '--name', 'job', '--', 'true']);
  expect(result.stderr).toBe('');
  const [line] = guest.ledger();
  return { decision: line.decision, reason: line.reason, epoch: line.epoch };
}

describe.each(SHELLS)('the etcd source under %s', (shell) => {
  it('allows when the key names this site', () =>
    withGuest(shell, async (guest) => {
      const key = etcdGuest(guest, testenv('ETCD_ENDPOINT'));
      await etcd.put(key).value('active=rbx\nepoch=12\nby=engine\n');
      expect(await decide(guest)).toEqual({ decision: 'allow', reason: 'active', epoch: 12 });
    }));

  it('denies when the key names the other site', () =>
    withGuest(shell, async (guest) => {
      const key = etcdGuest(guest, testenv('ETCD_ENDPOINT'));
      await etcd.put(key).value('active=sbg\nepoch=13\n');
      expect(await decide(guest)).toEqual({ decision: 'deny', reason: 'active-elsewhere:etcd=sbg@13', epoch: 13 });
    }));

  it('denies when the key is missing', () =>
    withGuest(shell, async (guest) => {
      etcdGuest(guest, testenv('ETCD_ENDPOINT'));
      expect(await decide(guest)).toEqual({ decision: 'deny', reason: 'etcd-missing', epoch: undefined });
    }));

  it('denies when the value is malformed', () =>
    withGuest(shell, async (guest) => {
      const key = etcdGuest(guest, testenv('ETCD_ENDPOINT'));
      await etcd.put(key).value('rbx');
      expect(await decide(guest)).toEqual({ decision: 'deny', reason: 'etcd-malformed', epoch: undefined });
    }));

  it('denies when etcd shows a higher epoch than the file with another value', () =>
    withGuest(shell, async (guest) => {
      const key = etcdGuest(guest, testenv('ETCD_ENDPOINT'));
      guest.config({ sources: 'file,etcd', etcd_endpoints: testenv('ETCD_ENDPOINT'), etcd_key: key });
      guest.activeSite('rbx', 20);
      await etcd.put(key).value('active=none\nepoch=21\n');
      expect(await decide(guest)).toEqual({ decision: 'deny', reason: 'active-elsewhere:etcd=none@21', epoch: 21 });
    }));

  it('denies when the endpoint refuses connections', () =>
    withGuest(shell, async (guest) => {
      etcdGuest(guest, `http://127.0.0.1:${await freePort()}`);
      expect(await decide(guest)).toEqual({ decision: 'deny', reason: 'etcd-unreachable', epoch: undefined });
    }));

  it('denies when the endpoint never answers within the timeout', () =>
    withGuest(shell, async (guest) => {
      const sockets: Socket[] = [];
      const silent: Server = createServer((socket) => sockets.push(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      try {
        const port = (silent.address() as { port: number }).port;
        etcdGuest(guest, `http://127.0.0.1:${port}`, 200);
        expect(await decide(guest)).toEqual({ decision: 'deny', reason: 'etcd-timeout', epoch: undefined });
      } finally {
        sockets.forEach((s) => s.destroy());
        await new Promise((resolve) => silent.close(resolve));
      }
    }));

  it('reads the next endpoint when the first one is down', () =>
    withGuest(shell, async (guest) => {
      const key = etcdGuest(guest, `http://127.0.0.1:${await freePort()},${testenv('ETCD_ENDPOINT')}`);
      await etcd.put(key).value('active=rbx\nepoch=30\n');
      expect(await decide(guest)).toEqual({ decision: 'allow', reason: 'active', epoch: 30 });
    }));
});
