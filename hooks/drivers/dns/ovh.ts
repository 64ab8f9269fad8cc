import { NotFoundError } from '../common/errors';
import type { OvhClient } from '../ovh/client';
import type { DnsChanges, DnsProvider, DnsRecord, DnsVerification, ExpectedRecord } from './index';
import { AuthoritativeCheck, type NameserverCheckOptions } from './verify';

/**
 * OVHcloud DNS zones through the API: records are looked up by fieldType + subDomain on every change
 * (their ids change when the zone is edited in text mode), edited in place, then the zone is refreshed:
 * without `POST /domain/zone/{zone}/refresh` nothing goes live. A refresh colliding with another one
 * (409) is retried by the client.
 */
interface OvhRecord {
  readonly id: number;
  readonly fieldType: string;
  readonly subDomain: string;
  readonly target: string;
  readonly ttl: number;
}

export interface OvhDnsConfig {
  readonly zone: string;
  readonly verification?: NameserverCheckOptions;
}

export class OvhDns implements DnsProvider {
  readonly system = 'dns ovh';
  readonly zone: string;
  private readonly check: AuthoritativeCheck;

  constructor(
    config: OvhDnsConfig,
    private readonly deps: { readonly ovh: OvhClient; readonly log?: (line: string) => void },
  ) {
    this.zone = config.zone;
    this.check = new AuthoritativeCheck(this.system, config.zone, config.verification);
  }

  async records(name: string): Promise<DnsRecord[]> {
    const found = await this.lookUp(name);
    if (!found.length) return [];
    return [{ name, type: 'A', ttlSeconds: Math.min(...found.map((r) => r.ttl)), targets: found.map((r) => r.target) }];
  }

  async applyChanges(changes: DnsChanges): Promise<void> {
    for (const record of changes.upsert ?? []) await this.lookedUpAgainOnNotFound(() => this.upsert(record));
    for (const record of changes.delete ?? []) await this.lookedUpAgainOnNotFound(() => this.remove(record.name));
    await this.deps.ovh.call('POST', `${this.zonePath()}/refresh`, undefined, { idempotent: true });
    this.deps.log?.(`${this.system}: ${this.zone}: changes applied and zone refreshed`);
  }

  verify(expected: ExpectedRecord): Promise<DnsVerification> {
    return this.check.verify(expected);
  }

  private zonePath(): string {
    return `/domain/zone/${encodeURIComponent(this.zone)}`;
  }

  private async lookUp(name: string): Promise<OvhRecord[]> {
    const subDomain = name === '@' ? '' : name;
    const ids = await this.deps.ovh.call<number[]>('GET', `${this.zonePath()}/record?fieldType=A&subDomain=${encodeURIComponent(subDomain)}`);
    return Promise.all(ids.map((id) => this.deps.ovh.call<OvhRecord>('GET', `${this.zonePath()}/record/${id}`)));
  }

  /**
   * Makes the set at `record.name` exactly `record.targets`: records already right are kept, the others
   * are edited in place (PUT) before any is created or deleted, so the name never goes empty.
   */
  private async upsert(record: DnsRecord): Promise<void> {
    const existing = await this.lookUp(record.name);
    const keep = existing.filter((r) => record.targets.includes(r.target) && r.ttl === record.ttlSeconds);
    const missing = record.targets.filter((t) => !keep.some((r) => r.target === t));
    const spare = existing.filter((r) => !keep.includes(r));
    for (const target of missing) {
      const reuse = spare.shift();
      if (reuse) await this.deps.ovh.call('PUT', `${this.zonePath()}/record/${reuse.id}`, { target, ttl: record.ttlSeconds });
      else await this.deps.ovh.call('POST', `${this.zonePath()}/record`, { fieldType: 'A', subDomain: record.name === '@' ? '' : record.name, target, ttl: record.ttlSeconds });
    }
    for (const extra of spare) await this.deps.ovh.call('DELETE', `${this.zonePath()}/record/${extra.id}`);
  }

  private async remove(name: string): Promise<void> {
    for (const r of await this.lookUp(name)) await this.deps.ovh.call('DELETE', `${this.zonePath()}/record/${r.id}`);
  }

  /** An id that vanished between lookup and edit (zone renumbered meanwhile): look up once more. */
  private async lookedUpAgainOnNotFound(step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
      this.deps.log?.(`${this.system}: ${this.zone}: a record id vanished (zone renumbered?); looking the records up again`);
      await step();
    }
  }
}
