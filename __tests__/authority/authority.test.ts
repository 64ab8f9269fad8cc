import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EtcdAuthority } from '../../hooks/drivers/authority/etcd';
import { FileAuthority } from '../../hooks/drivers/authority/file';
import { RunLockHeldError, StaleEpochError, type ActiveSiteRecord, type Authority } from '../../hooks/drivers/authority/index';
import { PermanentError } from '../../hooks/drivers/common/errors';
import { tempDirs } from '../helpers/tmp';
import { firstLine, startChild } from '../support/child';
import { removeEtcdKeys, testEtcdKey } from '../support/etcd';
import { testenv } from '../support/testenv';

/** One backend under test: a fresh, empty location per test, and how a child process reaches it. */
interface Backend {
  readonly name: 'file' | 'etcd';
  open(): Authority;
  readonly childLocation: string;
  cleanup(): Promise<void>;
}

const dirs = tempDirs();

function fileBackend(): Backend {
  const path = join(dirs.make('pra-authority-'), 'authority.json');
  return { name: 'file', open: () => new FileAuthority({ path }), childLocation: path, cleanup: async () => dirs.removeAll() };
}

function etcdBackend(): Backend {
  const endpoint = testenv('ETCD_ENDPOINT');
  const key = testEtcdKey('authority');
  return {
    name: 'etcd',
    open: () => new EtcdAuthority({ endpoints: [endpoint], key, runLockTtlSeconds: 2 }),
    childLocation: `${endpoint},${key}`,
    cleanup: () => removeEtcdKeys(key),
  };
}

function aDecision(active: string, epoch: number, by = 'alice'): ActiveSiteRecord {
  return { active, epoch, by, at: '2026-05-01T10:00:00.000Z', reason: `failback test to ${active}` };
}

describe.each([['file', fileBackend], ['etcd', etcdBackend]] as const)('%s authority', (_name, makeBackend) => {
  let backend: Backend;
  let authority: Authority;
  beforeEach(() => {
    backend = makeBackend();
    authority = backend.open();
  });
  afterEach(async () => {
    await authority.close();
    await backend.cleanup();
  });

  it('reads nothing before the first decision', async () => {
    expect(await authority.read()).toBeUndefined();
  });

  it('stores the first decision at epoch 1 and reads it back', async () => {
    await authority.compareAndSet(0, aDecision('sbg', 1));
    expect(await authority.read()).toEqual(aDecision('sbg', 1));
  });

  it('moves through a handover one epoch at a time', async () => {
    await authority.compareAndSet(0, aDecision('sbg', 1));
    await authority.compareAndSet(1, aDecision('none', 2));
    await authority.compareAndSet(2, aDecision('rbx', 3));
    expect((await authority.read())?.active).toBe('rbx');
  });

  it('refuses a stale epoch and names the current holder', async () => {
    await authority.compareAndSet(0, aDecision('sbg', 1, 'alice'));
    await authority.compareAndSet(1, aDecision('none', 2, 'bob'));
    const stale = authority.compareAndSet(1, aDecision('rbx', 2, 'carol'));
    await expect(stale).rejects.toThrow(StaleEpochError);
    await expect(authority.compareAndSet(1, aDecision('rbx', 2, 'carol'))).rejects.toThrow(/expected epoch 1 but the record is at epoch 2 \(active=none, by bob/);
    expect((await authority.read())?.by).toBe('bob');
  });

  it('refuses a next record that skips an epoch', async () => {
    await expect(authority.compareAndSet(0, aDecision('rbx', 5))).rejects.toThrow(/next epoch 5 must be expected epoch 0 \+ 1/);
    expect(await authority.read()).toBeUndefined();
  });

  it('refuses a record whose active site is not a site name', async () => {
    await expect(authority.compareAndSet(0, aDecision('RBX; rm -rf /', 1))).rejects.toThrow(PermanentError);
  });

  it('lets exactly one of two concurrent writers (separate processes) win', async () => {
    await authority.compareAndSet(0, aDecision('sbg', 1));
    const writers = ['rbx', 'none'].map((site) => startChild('authority-child', ['cas', backend.name, backend.childLocation, '1', site]));
    const outcomes = writers.map((child) => firstLine(child).then((line) => JSON.parse(line) as { site: string; won: boolean; error?: string; message?: string }));
    for (const child of writers) child.stdin.end('go\n');
    const results = await Promise.all(outcomes);
    const winners = results.filter((r) => r.won);
    expect(winners).toHaveLength(1);
    const loser = results.find((r) => !r.won);
    expect(loser?.error).toBe('StaleEpochError');
    expect(loser?.message).toContain(`active=${winners[0].site}`);
    expect((await authority.read())?.active).toBe(winners[0].site);
  });

  it('refuses a second run lock and says who holds it since when', async () => {
    const held = await authority.acquireRunLock({ holder: 'alice run-1', reason: 'failback app-a' });
    const other = backend.open();
    try {
      const refused = other.acquireRunLock({ holder: 'bob run-2', reason: 'failback app-a' });
      await expect(refused).rejects.toThrow(RunLockHeldError);
      await expect(other.acquireRunLock({ holder: 'bob run-2', reason: 'x' })).rejects.toThrow(`run lock held by alice run-1 (pid ${process.pid}`);
      await expect(other.acquireRunLock({ holder: 'bob run-2', reason: 'x' })).rejects.toThrow(`since ${held.owner.since}: failback app-a`);
    } finally {
      await held.release();
      await other.close();
    }
  });

  it('gives a released run lock to the next run', async () => {
    const first = await authority.acquireRunLock({ holder: 'alice', reason: 'first' });
    await first.release();
    const second = await authority.acquireRunLock({ holder: 'bob', reason: 'second' });
    expect(second.owner.holder).toBe('bob');
    await second.release();
  });
});

describe('file authority on disk', () => {
  let dir: string;
  beforeEach(() => (dir = dirs.make('pra-authority-')));
  afterEach(() => dirs.removeAll());

  it('leaves only the record behind after writes (no temp or lock files)', async () => {
    const authority = new FileAuthority({ path: join(dir, 'authority.json') });
    await authority.compareAndSet(0, aDecision('sbg', 1));
    await authority.compareAndSet(1, aDecision('none', 2));
    expect(readdirSync(dir)).toEqual(['authority.json']);
  });

  it('refuses a damaged record instead of guessing', async () => {
    const path = join(dir, 'authority.json');
    writeFileSync(path, '{"active":"rbx","epoch":"two"}');
    await expect(new FileAuthority({ path }).read()).rejects.toThrow(/stored record is invalid \(epoch "two" is not a positive integer\)/);
  });
});
