import type { Etcd3 } from 'etcd3';
import { createEtcdClient, etcdError, ifUnchanged, singleKv } from '../../common/etcd';
import { PermanentError, TransientError } from '../../common/errors';
import { HttpClient, type TlsOptions } from '../../common/http';
import type { ActiveSiteRecord } from '../index';
import { confirmEach, formatActiveSite, parseActiveSite, type GuestConfirmation, type GuestSees, type Publisher } from './index';

export interface EtcdPublisherConfig extends TlsOptions {
  /** The endpoints guests read (the guard's `guard.etcd.endpoints`). */
  readonly endpoints: readonly string[];
  /** @default /pra/active-site */
  readonly key?: string;
  readonly callTimeoutMs?: number;
}

/**
 * Publishes the decision to the etcd key the in-guest guard reads, in the same text format as the
 * file. Writes go through the etcd client in one transaction that refuses to replace a higher epoch;
 * the read-back goes through the v3 JSON gateway (`POST /v3/kv/range`), the very path and the very
 * linearizable read the guard uses, endpoint after endpoint until one answers: the cluster is one "guest"
 * of the confirmation, and a member down or cut off from its quorum is skipped as the guests skip it.
 */
export class EtcdKeyPublisher implements Publisher {
  readonly source = 'etcd' as const;
  private readonly key: string;
  private readonly system: string;
  /** One keep-alive client per gateway endpoint, for every read-back. */
  private readonly gateways: ReadonlyMap<string, HttpClient>;

  constructor(
    private readonly config: EtcdPublisherConfig,
    private readonly client: Etcd3 = createEtcdClient(config),
  ) {
    this.key = config.key ?? '/pra/active-site';
    this.system = `publisher etcd ${this.key}`;
    this.gateways = new Map(config.endpoints.map((endpoint) => [endpoint, new HttpClient(`${this.system} ${endpoint}`, endpoint, config)]));
  }

  async publish(record: ActiveSiteRecord): Promise<GuestConfirmation[]> {
    try {
      const stored = singleKv((await this.client.get(this.key).exec()).kvs);
      if (stored) {
        const seen = parseActiveSite(stored.value.toString('utf8'));
        if (seen.epoch > record.epoch || (seen.epoch === record.epoch && seen.active !== record.active)) {
          throw new PermanentError(this.system, `the key holds epoch ${seen.epoch} (active=${seen.active}); refusing to replace it with epoch ${record.epoch} (active=${record.active})`);
        }
      }
      const result = await ifUnchanged(this.client, this.key, stored?.mod_revision)
        .then(this.client.put(this.key).value(formatActiveSite(record)))
        .commit();
      if (!result.succeeded) throw new PermanentError(this.system, 'the key changed while publishing (another publisher ran); re-read the authority and publish again');
    } catch (error) {
      const failure = etcdError(this.system, 'publish', error);
      return this.config.endpoints.map((endpoint) => ({ guest: `etcd ${endpoint}`, error: failure }));
    }
    return this.read();
  }

  read(): Promise<GuestConfirmation[]> {
    const cluster = `etcd ${this.config.endpoints.join(',')}`;
    return confirmEach([cluster], () => cluster, () => this.readThroughCluster());
  }

  async close(): Promise<void> {
    for (const http of this.gateways.values()) http.close();
    this.client.close();
  }

  /** The first answer, as the guard reads: only a member that does not answer (down, no quorum) is skipped. */
  private async readThroughCluster(): Promise<GuestSees> {
    let unanswered: unknown;
    for (const endpoint of this.config.endpoints) {
      try {
        return await this.readThroughGateway(endpoint);
      } catch (error) {
        if (!(error instanceof TransientError)) throw error;
        unanswered = error;
      }
    }
    throw unanswered;
  }

  private async readThroughGateway(endpoint: string): Promise<GuestSees> {
    const http = this.gateways.get(endpoint)!;
    const response = await http.send({
      method: 'POST',
      url: '/v3/kv/range',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: Buffer.from(this.key).toString('base64'), serializable: false }),
      timeoutMs: this.config.callTimeoutMs ?? 3000,
    });
    const value = (JSON.parse(response.body) as { kvs?: Array<{ value?: string }> }).kvs?.[0]?.value;
    if (value === undefined) throw new PermanentError(http.system, `key ${this.key} is absent`);
    return parseActiveSite(Buffer.from(value, 'base64').toString('utf8'));
  }
}
