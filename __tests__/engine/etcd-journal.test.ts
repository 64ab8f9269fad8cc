import { appendFileSync } from 'node:fs';
import { EtcdAuthority } from '../../hooks/drivers/authority/etcd';
import { RunLockLostError } from '../../hooks/drivers/authority/etcd-run-log';
import type { RunLockHandle } from '../../hooks/drivers/authority';
import { createEtcdClient } from '../../hooks/drivers/common/etcd';
import { etcdRunStore } from '../../hooks/engine/etcd-run-store';
import { journalFile, readJournal } from '../../hooks/engine/journal';
import { RunRefusedError } from '../../hooks/engine/runner';
import { tempDirs } from '../helpers/tmp';
import { removeEtcdKeys, testEtcdKey } from '../support/etcd';
import { testenv } from '../support/testenv';

const started = { type: 'run.started', plan: 'failback sbg -> rbx', direction: { from: 'sbg', to: 'rbx' }, operator: 'alice', host: 'laptop-a', steps: [], options: {}, rtoMinutes: 30 } as const;
const progress = (message: string) => ({ type: 'step.progress', step: 'restore.move', message }) as const;

describe('journal in etcd (etcd authority)', () => {
  const dirs = tempDirs();
  let key: string;
  let authority: EtcdAuthority;
  let lock: RunLockHandle | undefined;

  beforeEach(() => {
    key = testEtcdKey('authority');
    authority = new EtcdAuthority({ endpoints: [testenv('ETCD_ENDPOINT')], key, runLockTtlSeconds: 2 });
  });
  afterEach(async () => {
    await lock?.release().catch(() => undefined);
    lock = undefined;
    await authority.close();
    await removeEtcdKeys(key);
    dirs.removeAll();
  });

  const store = (dir = dirs.make('pra-etcd-journal-')) => etcdRunStore(authority.runLog, dir);

  it('writes each event under the topology prefix, in order, and keeps the same copy locally', async () => {
    lock = await authority.acquireRunLock({ holder: 'alice', reason: 'test' });
    const dir = dirs.make('pra-etcd-journal-');
    const journal = await store(dir).open('run-1', lock);
    for (const event of [started, progress('a'), progress('b')]) await journal.append(event);
    const client = createEtcdClient({ endpoints: [testenv('ETCD_ENDPOINT')] });
    try {
      const keys = await client.getAll().prefix(`${key}/runs/`).keys();
      expect(keys.sort()).toEqual([`${key}/runs/run-1/0000000001`, `${key}/runs/run-1/0000000002`, `${key}/runs/run-1/0000000003`]);
    } finally {
      client.close();
    }
    expect(readJournal(dir, 'run-1')).toEqual(await store().entries('run-1'));
    expect((await store().entries('run-1')).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(await store().runIds()).toEqual(['run-1']);
  });

  it('refuses an append once the run lock was lost, and writes nothing', async () => {
    lock = await authority.acquireRunLock({ holder: 'alice', reason: 'test' });
    const journal = await store().open('run-1', lock);
    await journal.append(started);
    await lock.release(); // the lease is gone, as when it expired
    await expect(journal.append(progress('after the loss'))).rejects.toThrow(RunLockLostError);
    await expect(journal.append(progress('after the loss'))).rejects.toThrow(/its lease expired/);
    expect(await store().entries('run-1')).toHaveLength(1);
  });

  it('refuses the append of an operator whose lock another operator holds now', async () => {
    const mine = await authority.acquireRunLock({ holder: 'alice', reason: 'test' });
    const journal = await store().open('run-1', mine);
    await journal.append(started);
    await mine.release();
    lock = await authority.acquireRunLock({ holder: 'bob', reason: 'took over' });
    await expect(journal.append(progress('stale driver'))).rejects.toThrow(/now held by .*bob/);
  });

  it('gives an approval from another machine the next number, and the driver continues after it', async () => {
    lock = await authority.acquireRunLock({ holder: 'alice', reason: 'test' });
    const driver = await store().open('run-1', lock);
    await driver.append(started);
    const elsewhere = await store().open('run-1'); // no lock, no local journal: a second machine
    await elsewhere.append({ type: 'approval.given', gate: 'validation', by: 'bob', comment: 'four eyes' });
    // The driver has not seen it: its next event takes number 3, after the approval.
    const next = await driver.append(progress('after the approval'));
    expect(next.seq).toBe(3);
    expect(driver.entries().map((e) => e.type)).toEqual(['run.started', 'approval.given', 'step.progress']);
    expect((await store().entries('run-1')).map((e) => e.type)).toEqual(['run.started', 'approval.given', 'step.progress']);
  });

  it('refuses a local journal that disagrees with the etcd one, naming both', async () => {
    lock = await authority.acquireRunLock({ holder: 'alice', reason: 'test' });
    const dir = dirs.make('pra-etcd-journal-');
    const journal = await store(dir).open('run-1', lock);
    await journal.append(started);
    await journal.append(progress('a'));
    appendFileSync(journalFile(dir, 'run-1'), `${JSON.stringify({ seq: 3, ts: new Date().toISOString(), run: 'run-1', ...progress('only here') })}\n`);
    const refused = store(dir).open('run-1', lock);
    await expect(refused).rejects.toThrow(RunRefusedError);
    await expect(store(dir).open('run-1', lock)).rejects.toThrow(/local journal .*run-1\.jsonl and the etcd journal etcd .*\/runs diverge at event 3 \(local: step\.progress .*; etcd: nothing\)/);
  });

  it('completes a local copy that lags behind (approvals given while this machine was away)', async () => {
    lock = await authority.acquireRunLock({ holder: 'alice', reason: 'test' });
    const dir = dirs.make('pra-etcd-journal-');
    await (await store(dir).open('run-1', lock)).append(started);
    await (await store().open('run-1')).append({ type: 'approval.given', gate: 'validation', by: 'bob', comment: 'ok' });
    const reopened = await store(dir).open('run-1', lock);
    expect(reopened.entries().map((e) => e.type)).toEqual(['run.started', 'approval.given']);
    expect(readJournal(dir, 'run-1').map((e) => e.type)).toEqual(['run.started', 'approval.given']);
  });
});
