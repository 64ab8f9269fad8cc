import { EtcdKeyPublisher } from '../../hooks/drivers/authority/publishers/etcd';
import { createEtcdClient } from '../../hooks/drivers/common/etcd';
import { PermanentError, TransientError } from '../../hooks/drivers/common/errors';
import { freePort } from '../../testenv/core';
import { removeEtcdKeys, testEtcdKey } from '../support/etcd';
import { testenv } from '../support/testenv';

const decision = (active: string, epoch: number) => ({ active, epoch, by: 'alice', at: '2026-05-01T10:00:00.000Z', reason: 'failback' });

describe('etcd key publisher (real etcd, read back through the JSON gateway)', () => {
  const endpoint = () => testenv('ETCD_ENDPOINT');
  let key: string;
  let publisher: EtcdKeyPublisher;
  beforeEach(() => {
    key = testEtcdKey('active-site');
    publisher = new EtcdKeyPublisher({ endpoints: [endpoint()], key });
  });
  afterEach(async () => {
    await publisher.close();
    await removeEtcdKeys(key);
  });

  it('publishes the decision in the guest file format and reads it back as the guard would', async () => {
    expect(await publisher.publish(decision('none', 4))).toEqual([{ guest: `etcd ${endpoint()}`, sees: { active: 'none', epoch: 4 } }]);
    const client = createEtcdClient({ endpoints: [endpoint()] });
    expect(await client.get(key).string()).toBe('active=none\nepoch=4\nby=alice\nat=2026-05-01T10:00:00.000Z\n');
    client.close();
  });

  it('republishes the same decision without complaint', async () => {
    await publisher.publish(decision('rbx', 5));
    expect(await publisher.publish(decision('rbx', 5))).toEqual([{ guest: `etcd ${endpoint()}`, sees: { active: 'rbx', epoch: 5 } }]);
  });

  it('refuses to replace a higher epoch', async () => {
    await publisher.publish(decision('rbx', 6));
    const [result] = await publisher.publish(decision('sbg', 5));
    expect('error' in result && result.error).toBeInstanceOf(PermanentError);
    expect('error' in result && result.error.message).toContain('the key holds epoch 6 (active=rbx)');
    expect(await publisher.read()).toEqual([{ guest: `etcd ${endpoint()}`, sees: { active: 'rbx', epoch: 6 } }]);
  });

  it('reports an absent key on read', async () => {
    const [result] = await publisher.read();
    expect('error' in result && result.error.message).toContain(`key ${key} is absent`);
  });

  it('reports etcd down as a transient error per endpoint', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const down = new EtcdKeyPublisher({ endpoints: [closed], key, callTimeoutMs: 1000 });
    const [result] = await down.publish(decision('rbx', 1));
    expect('error' in result && result.error).toBeInstanceOf(TransientError);
    await down.close();
  });
});
