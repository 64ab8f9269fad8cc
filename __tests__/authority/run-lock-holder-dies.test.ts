import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EtcdAuthority } from '../../hooks/drivers/authority/etcd';
import { FileAuthority } from '../../hooks/drivers/authority/file';
import { RunLockHeldError } from '../../hooks/drivers/authority/index';
import { createEtcdClient } from '../../hooks/drivers/common/etcd';
import { TransientError } from '../../hooks/drivers/common/errors';
import { pollUntil } from '../../hooks/drivers/common/retry';
import { freePort } from '../../testenv/core';
import { tempDirs } from '../helpers/tmp';
import { firstLine, killHard, startChild } from '../support/child';
import { removeEtcdKeys, testEtcdKey } from '../support/etcd';
import { testenv } from '../support/testenv';

describe('run lock whose holder process dies', () => {
  const dirs = tempDirs();
  afterEach(() => dirs.removeAll());

  it('takes over a file lock left by a dead pid on this host', async () => {
    const path = join(dirs.make('pra-runlock-'), 'authority.json');
    const holder = startChild('authority-child', ['run-lock', 'file', path]);
    expect(await firstLine(holder)).toBe('held');
    const authority = new FileAuthority({ path });
    await expect(authority.acquireRunLock({ holder: 'bob', reason: 'while alive' })).rejects.toThrow(RunLockHeldError);
    await killHard(holder);
    const handle = await authority.acquireRunLock({ holder: 'bob', reason: 'after the crash' });
    expect(handle.owner.holder).toBe('bob');
    await handle.release();
  });

  it('takes over a file lock whose dead holder\'s pid now runs another process (pids are reused within seconds under a fork load)', async () => {
    const path = join(dirs.make('pra-runlock-'), 'authority.json');
    const holder = startChild('authority-child', ['run-lock', 'file', path]);
    expect(await firstLine(holder)).toBe('held');
    await killHard(holder);
    // The dead holder's pid, reused: a live process (this one) now has it.
    const lock = `${path}.run.lock`;
    writeFileSync(lock, JSON.stringify({ ...JSON.parse(readFileSync(lock, 'utf8')), pid: process.pid }));
    const handle = await new FileAuthority({ path }).acquireRunLock({ holder: 'bob', reason: 'after the crash' });
    expect(handle.owner.holder).toBe('bob');
    await handle.release();
  });

  it('frees an etcd lease lock once its killed holder stops keeping the lease alive', async () => {
    const endpoint = testenv('ETCD_ENDPOINT');
    const key = testEtcdKey('authority');
    const holder = startChild('authority-child', ['run-lock', 'etcd', `${endpoint},${key}`]);
    const authority = new EtcdAuthority({ endpoints: [endpoint], key, runLockTtlSeconds: 2 });
    try {
      expect(await firstLine(holder)).toBe('held');
      await expect(authority.acquireRunLock({ holder: 'bob', reason: 'while alive' })).rejects.toThrow(RunLockHeldError);
      await killHard(holder);
      const handle = await pollUntil(
        () => authority.acquireRunLock({ holder: 'bob', reason: 'after the crash' }).catch((error) => {
          if (error instanceof RunLockHeldError) return undefined;
          throw error;
        }),
        { timeoutMs: 20000, intervalMs: 250, system: 'test', what: 'run lock free after the lease expired' },
      );
      expect(handle.owner.holder).toBe('bob');
      await handle.release();
    } finally {
      await killHard(holder);
      await removeEtcdKeys(key);
      await authority.close();
    }
  });

  it('tells the holder when its etcd lease is lost', async () => {
    const endpoint = testenv('ETCD_ENDPOINT');
    const key = testEtcdKey('authority');
    const authority = new EtcdAuthority({ endpoints: [endpoint], key, runLockTtlSeconds: 2 });
    const client = createEtcdClient({ endpoints: [endpoint] });
    try {
      const handle = await authority.acquireRunLock({ holder: 'alice', reason: 'lease revoked under us' });
      const lost = new Promise<Error>((resolve) => handle.onLost(resolve));
      // Revoke the lease from outside, as an operator (or a partition and expiry) would.
      const leaseId = (await client.get(`${key}/run-lock`).exec()).kvs[0].lease;
      await client.leaseClient.leaseRevoke({ ID: leaseId });
      expect((await lost).message).toContain(`run lock ${key}/run-lock lost`);
    } finally {
      client.close();
      await authority.close();
    }
  });
});

describe('etcd authority when etcd is down', () => {
  it('reports a closed port as a transient error', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const authority = new EtcdAuthority({ endpoints: [closed], callTimeoutMs: 1000 });
    try {
      await expect(authority.read()).rejects.toThrow(TransientError);
      await expect(authority.compareAndSet(0, { active: 'rbx', epoch: 1, by: 'a', at: '2026-05-01T00:00:00Z', reason: 'r' })).rejects.toThrow(/authority etcd http:\/\/127\.0\.0\.1:\d+ \/pra\/authority: read: etcd unreachable/);
      await expect(authority.acquireRunLock({ holder: 'a', reason: 'r' })).rejects.toThrow(TransientError);
    } finally {
      await authority.close();
    }
  });
});
