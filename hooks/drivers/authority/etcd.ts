import { hostname } from 'node:os';
import type { Etcd3 } from 'etcd3';
import { createEtcdClient, etcdError, ifUnchanged, singleKv, type EtcdEndpoints } from '../common/etcd';
import { EtcdRunLog } from './etcd-run-log';
import { checkNext, parseRecord, RunLockHeldError, StaleEpochError, type ActiveSiteRecord, type Authority, type RunLockHandle, type RunLockOwner, type RunLockRequest } from './index';

export interface EtcdAuthorityConfig extends EtcdEndpoints {
  /** The record's key. @default /pra/authority */
  readonly key?: string;
  /** The run lock's key. @default `<key>/run-lock` */
  readonly runLockKey?: string;
  /** Lease TTL of the run lock: how long a dead holder keeps it. @default 10 */
  readonly runLockTtlSeconds?: number;
  /** Where the runs' journals are shared. @default `<key>/runs` */
  readonly runsPrefix?: string;
}

/**
 * The shared authority for several operators: the record is one etcd key, and compare-and-set is one
 * transaction comparing the key's mod revision (the revision of the record that carried the expected
 * epoch) before putting the next record. The run lock is a key bound to a lease kept alive while the
 * process lives: if the holder dies, the lease expires and the lock goes with it.
 */
export class EtcdAuthority implements Authority {
  readonly description: string;
  private readonly key: string;
  private readonly runLockKey: string;
  private readonly system: string;
  readonly runLog: EtcdRunLog;

  constructor(
    private readonly config: EtcdAuthorityConfig,
    private readonly client: Etcd3 = createEtcdClient(config),
    private readonly now: () => Date = () => new Date(),
  ) {
    this.key = config.key ?? '/pra/authority';
    this.runLockKey = config.runLockKey ?? `${this.key}/run-lock`;
    this.description = `etcd ${config.endpoints.join(',')} ${this.key}`;
    this.system = `authority ${this.description}`;
    this.runLog = new EtcdRunLog(client, config.runsPrefix ?? `${this.key}/runs`, this.runLockKey, this.system);
  }

  async read(): Promise<ActiveSiteRecord | undefined> {
    return (await this.readWithRevision())?.record;
  }

  async compareAndSet(expectedEpoch: number, next: ActiveSiteRecord): Promise<ActiveSiteRecord> {
    checkNext(this.system, expectedEpoch, next);
    const current = await this.readWithRevision();
    if ((current?.record.epoch ?? 0) !== expectedEpoch) throw new StaleEpochError(this.system, expectedEpoch, current?.record);
    const result = await ifUnchanged(this.client, this.key, current?.modRevision)
      .then(this.client.put(this.key).value(JSON.stringify(next)))
      .else(this.client.get(this.key))
      .commit()
      .catch((error) => {
        throw etcdError(this.system, 'compare-and-set', error);
      });
    if (!result.succeeded) {
      // Someone wrote between our read and our transaction: the else branch read what they wrote.
      const kv = singleKv(result.responses[0]?.response_range?.kvs);
      throw new StaleEpochError(this.system, expectedEpoch, kv ? parseRecord(this.system, kv.value.toString('utf8')) : undefined);
    }
    return next;
  }

  async acquireRunLock(request: RunLockRequest): Promise<RunLockHandle> {
    const owner: RunLockOwner = { ...request, pid: process.pid, host: hostname(), since: this.now().toISOString() };
    const lease = this.client.lease(this.config.runLockTtlSeconds ?? 10);
    const lostListeners: Array<(error: Error) => void> = [];
    lease.on('lost', (error) => {
      const lost = etcdError(this.system, `run lock ${this.runLockKey} lost (lease expired or revoked)`, error);
      for (const listener of lostListeners) listener(lost);
    });
    let leaseId: string;
    try {
      leaseId = await lease.grant();
      const result = await this.client
        .if(this.runLockKey, 'Create', '==', 0)
        .then(this.client.put(this.runLockKey).value(JSON.stringify(owner)).lease(leaseId))
        .else(this.client.get(this.runLockKey))
        .commit();
      if (!result.succeeded) {
        const kv = singleKv(result.responses[0]?.response_range?.kvs);
        const holder = kv ? (JSON.parse(kv.value.toString('utf8')) as RunLockOwner) : { holder: 'unknown', reason: 'unreadable lock', pid: 0, host: 'unknown', since: 'unknown' };
        throw new RunLockHeldError(this.system, holder, await this.howLongToWait(kv?.lease));
      }
    } catch (error) {
      await lease.revoke().catch(() => undefined);
      throw error instanceof RunLockHeldError ? error : etcdError(this.system, `acquire run lock ${this.runLockKey}`, error);
    }
    return {
      owner,
      leaseId,
      // Revoking the lease deletes the key with it; a lease already lost has nothing left to release.
      release: async () => {
        if (lease.revoked()) return;
        try {
          await lease.revoke();
        } catch (error) {
          throw etcdError(this.system, `release run lock ${this.runLockKey}`, error);
        }
      },
      onLost: (listener) => lostListeners.push(listener),
    };
  }

  /**
   * What a refused operator is told: the holder's lease keeps the lock while that process lives (it renews
   * the lease every few seconds); if it died, the lease runs out within the seconds it has left.
   */
  private async howLongToWait(leaseId: string | undefined): Promise<string> {
    const ttl = this.config.runLockTtlSeconds ?? 10;
    const left = leaseId
      ? await this.client.leaseClient.leaseTimeToLive({ ID: leaseId }).then(
          (r) => Number(r.TTL),
          () => undefined,
        )
      : undefined;
    const within = left === undefined || left < 0 ? `within ${ttl} s` : `in ${left} s (lease TTL ${ttl} s)`;
    return `wait for that run to end; if its process is dead, its lease expires ${within}: then resume the run (pra resume RUN --take-over)`;
  }

  async close(): Promise<void> {
    this.client.close();
  }

  private async readWithRevision(): Promise<{ record: ActiveSiteRecord; modRevision: string } | undefined> {
    const response = await this.client
      .get(this.key)
      .exec()
      .catch((error) => {
        throw etcdError(this.system, 'read', error);
      });
    const kv = singleKv(response.kvs);
    return kv ? { record: parseRecord(this.system, kv.value.toString('utf8')), modRevision: kv.mod_revision } : undefined;
  }
}
