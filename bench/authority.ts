import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EtcdAuthority } from '../hooks/drivers/authority/etcd';
import { FileAuthority } from '../hooks/drivers/authority/file';
import type { Authority } from '../hooks/drivers/authority/index';
import { EtcdKeyPublisher } from '../hooks/drivers/authority/publishers/etcd';
import { SshFilePublisher } from '../hooks/drivers/authority/publishers/ssh';
import { createEtcdClient } from '../hooks/drivers/common/etcd';
import { Secret } from '../hooks/drivers/common/secret';
import type { SshTarget } from '../hooks/drivers/common/ssh';
import { SshPool } from '../hooks/drivers/common/ssh-pool';
import { HaproxyLoadBalancer } from '../hooks/drivers/lb/haproxy';
import { probeHttp, probeMysql, probeSshCommand, probeTcp } from '../hooks/drivers/probes';
import { etcdRunStore } from '../hooks/engine/etcd-run-store';
import { localRunStore } from '../hooks/engine/run-store';
import { currentEnv } from '../testenv/core';
import { measureLatency, roundsFromArgv } from './latency';

/**
 * Per-operation latencies of the authority, publishers, LB driver and probes against the local
 * servers (`testenv/testenv up` first). Bounded: ROUNDS sequential runs of each operation.
 * Usage: node dist/bench/authority.js [ROUNDS]   (default 20)
 */
const rounds = roundsFromArgv();

const measure = (name: string, op: (i: number) => Promise<unknown>) => measureLatency(name, rounds, op, 50);

function casRounds(authority: Authority): (i: number) => Promise<unknown> {
  return (i) => authority.compareAndSet(i, { active: i % 2 ? 'rbx' : 'none', epoch: i + 1, by: 'bench', at: new Date().toISOString(), reason: 'bench' });
}

async function main(): Promise<void> {
  const env = currentEnv();
  if (!env) throw new Error('testenv is not up; run testenv/testenv up');
  const dir = mkdtempSync(join(tmpdir(), 'pra-bench-'));
  const prefix = `/pra-bench/${randomBytes(6).toString('hex')}`;
  const ssh: SshTarget = {
    host: '127.0.0.1', port: Number(env.PRA_TESTENV_SSH_PORT), user: env.PRA_TESTENV_SSH_USER,
    privateKey: new Secret(readFileSync(env.PRA_TESTENV_SSH_KEY, 'utf8')), hostKeySha256: [env.PRA_TESTENV_SSH_HOST_KEY_SHA256],
  };
  process.stdout.write(`bench: ${rounds} sequential rounds per operation, loopback servers\n`);
  try {
    const file = new FileAuthority({ path: join(dir, 'authority.json') });
    await measure('authority file: compare-and-set', casRounds(file));
    await measure('authority file: read', () => file.read());
    await measure('authority file: run lock acquire + release', async () => (await file.acquireRunLock({ holder: 'bench', reason: 'bench' })).release());

    const etcd = new EtcdAuthority({ endpoints: [env.PRA_TESTENV_ETCD_ENDPOINT], key: `${prefix}/authority` });
    await measure('authority etcd: compare-and-set (read + txn)', casRounds(etcd));
    await measure('authority etcd: read', () => etcd.read());
    await measure('authority etcd: run lock acquire + release', async () => (await etcd.acquireRunLock({ holder: 'bench', reason: 'bench' })).release());
    const note = { type: 'step.progress', step: 'bench', message: 'a journaled event' } as const;
    const localJournal = await localRunStore(join(dir, 'runs')).open('bench-local');
    await measure('journal append: local file (fsync)', () => localJournal.append(note));
    for (const [name, endpoints] of [['etcd 1 member', [env.PRA_TESTENV_ETCD_ENDPOINT]], ['etcd 3 members', env.PRA_TESTENV_ETCD_CLUSTER_ENDPOINTS.split(',')]] as const) {
      const authority = new EtcdAuthority({ endpoints, key: `${prefix}/${name.replace(/ /g, '-')}` });
      const lock = await authority.acquireRunLock({ holder: 'bench', reason: 'bench' });
      const shared = await etcdRunStore(authority.runLog, join(dir, name)).open('bench-etcd', lock);
      await measure(`journal append: ${name} (txn checking the lease) + local copy`, () => shared.append(note));
      await lock.release();
      await authority.close();
    }
    await etcd.close();

    const record = (i: number) => ({ active: 'rbx', epoch: i + 1, by: 'bench', at: new Date().toISOString(), reason: 'bench' });
    const sshPublisher = new SshFilePublisher([{ name: 'guest', ssh, path: join(dir, 'etc/pra/active-site') }]);
    await measure('publish file over SSH (connect, write, read back)', (i) => sshPublisher.publish(record(i)));
    const pool = new SshPool();
    const pooledPublisher = new SshFilePublisher([{ name: 'guest', ssh, path: join(dir, 'etc/pra/active-site') }], pool.use);
    await measure('publish file over SSH, kept connection (engine)', (i) => pooledPublisher.publish(record(i)));
    pool.close();
    const etcdPublisher = new EtcdKeyPublisher({ endpoints: [env.PRA_TESTENV_ETCD_ENDPOINT], key: `${prefix}/active-site` });
    await measure('publish etcd key (txn + gateway read back)', (i) => etcdPublisher.publish(record(i)));
    await etcdPublisher.close();

    const lb = new HaproxyLoadBalancer({ adminSocket: env.PRA_TESTENV_HAPROXY_SOCKET, backend: env.PRA_TESTENV_HAPROXY_BACKEND, servers: { rbx: env.PRA_TESTENV_HAPROXY_SERVER_RBX, sbg: env.PRA_TESTENV_HAPROXY_SERVER_SBG } });
    await measure('haproxy: switchTo + verify', async (i) => {
      const site = i % 2 ? 'rbx' : 'sbg';
      await lb.switchTo(site);
      await lb.verify(site);
    });
    await lb.setServer('rbx', 'ready');
    await lb.setServer('sbg', 'ready');

    await measure('probe tcp', () => probeTcp({ host: '127.0.0.1', port: Number(env.PRA_TESTENV_MYSQL_PORT) }));
    await measure('probe http (via haproxy, JSON subset)', () => probeHttp({ url: env.PRA_TESTENV_HAPROXY_URL, expectJson: { status: 'ok' } }));
    await measure('probe mysql (connect, SELECT 1, schemas)', () =>
      probeMysql({ host: '127.0.0.1', port: Number(env.PRA_TESTENV_MYSQL_PORT), user: env.PRA_TESTENV_MYSQL_USER, password: new Secret(env.PRA_TESTENV_MYSQL_PASSWORD), schemas: [env.PRA_TESTENV_MYSQL_DATABASE] }),
    );
    await measure('probe ssh command (connect, exec true)', () => probeSshCommand({ target: ssh, command: 'true' }));
    const bastion: SshTarget = {
      host: '127.0.0.1', port: Number(env.PRA_TESTENV_BASTION_PORT), user: env.PRA_TESTENV_SSH_USER,
      privateKey: new Secret(readFileSync(env.PRA_TESTENV_BASTION_KEY, 'utf8')), hostKeySha256: [env.PRA_TESTENV_BASTION_HOST_KEY_SHA256],
    };
    await measure('probe ssh command through the bastion (two connects, exec true)', () => probeSshCommand({ target: { ...ssh, via: bastion }, command: 'true' }));
  } finally {
    for (const endpoints of [[env.PRA_TESTENV_ETCD_ENDPOINT], env.PRA_TESTENV_ETCD_CLUSTER_ENDPOINTS.split(',')]) {
      const client = createEtcdClient({ endpoints });
      await client.delete().prefix(prefix);
      client.close();
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`bench: ${error.message}\n`);
    process.exit(1);
  },
);
