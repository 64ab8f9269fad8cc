import { randomBytes } from 'node:crypto';
import { createEtcdClient } from '../../hooks/drivers/common/etcd';
import { testenv } from './testenv';

/** A key no other test uses (`/pra-test/<random>/<leaf>`), so test files sharing the testenv etcd never collide. */
export function testEtcdKey(leaf: string): string {
  return `/pra-test/${randomBytes(6).toString('hex')}/${leaf}`;
}

/** Deletes `key` and every key under it (a run lock, ...) from the testenv etcd, through a client of its own. */
export async function removeEtcdKeys(key: string): Promise<void> {
  const client = createEtcdClient({ endpoints: [testenv('ETCD_ENDPOINT')] });
  try {
    await client.delete().prefix(key);
  } finally {
    client.close();
  }
}
