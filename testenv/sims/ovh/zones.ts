import type { DnsRecord } from '../../../hooks/drivers/dns/index';
import { realSleep } from '../../../hooks/drivers/common/retry';
import type { BindPublisher } from '../common';

/**
 * The OVHcloud DNS zones of the simulator. API edits change the records only; nothing is served until
 * `refresh`, which publishes the difference into BIND. One refresh at a time per zone; ids are renumbered
 * on demand, as a text-mode edit of the zone does on the real service.
 */
export interface ZoneRecord {
  id: number;
  zone: string;
  fieldType: string;
  subDomain: string;
  target: string;
  ttl: number;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, string>,
  ) {
    super(body.message);
  }
}

const notFound = () => new ApiError(404, { class: 'Client::NotFound', message: 'This service does not exist' });

export class OvhZones {
  private readonly records = new Map<string, Map<number, ZoneRecord>>();
  /** What BIND serves, per zone and name: the state as of the last refresh. */
  private readonly live = new Map<string, Map<string, string>>();
  private readonly refreshing = new Set<string>();
  private nextId = 5_000_001;
  refreshMs = 200;

  constructor(
    private readonly zoneNames: readonly string[],
    private readonly initialAppTarget: string,
    private readonly publisher: BindPublisher,
  ) {
    for (const zone of zoneNames) this.live.set(zone, new Map([['app', key([initialAppTarget], 60)]]));
    this.reset();
  }

  /**
   * Back to `app A <initial>` in `zones` (@default every zone), as the BIND zone files start; `refreshAll` then
   * resets BIND. A test resets its own zones only: the drill zone belongs to the drill running meanwhile.
   */
  reset(zones: readonly string[] = this.zoneNames): void {
    for (const zone of zones.filter((z) => this.zoneNames.includes(z))) {
      this.records.set(zone, new Map());
      this.create(zone, { fieldType: 'A', subDomain: 'app', target: this.initialAppTarget, ttl: 60 });
    }
    this.refreshing.clear();
  }

  list(zone: string, fieldType?: string, subDomain?: string): number[] {
    return [...this.zone(zone).values()]
      .filter((r) => (fieldType === undefined || r.fieldType === fieldType) && (subDomain === undefined || r.subDomain === subDomain))
      .map((r) => r.id);
  }

  get(zone: string, id: number): ZoneRecord {
    const r = this.zone(zone).get(id);
    if (!r) throw notFound();
    return r;
  }

  create(zone: string, input: Partial<ZoneRecord>): ZoneRecord {
    if (input.fieldType !== 'A' || typeof input.target !== 'string') {
      throw new ApiError(400, { class: 'Client::BadRequest', message: 'Only A records with a target are simulated' });
    }
    const r: ZoneRecord = { id: this.nextId++, zone, fieldType: 'A', subDomain: input.subDomain ?? '', target: input.target, ttl: checkTtl(input.ttl ?? 0) };
    this.zone(zone).set(r.id, r);
    return r;
  }

  update(zone: string, id: number, input: Partial<ZoneRecord>): void {
    const r = this.get(zone, id);
    if (input.target !== undefined) r.target = input.target;
    if (input.ttl !== undefined) r.ttl = checkTtl(input.ttl);
    if (input.subDomain !== undefined) r.subDomain = input.subDomain;
  }

  remove(zone: string, id: number): void {
    this.get(zone, id);
    this.zone(zone).delete(id);
  }

  /** Every record gets a new id, as after an edit of the zone in text mode. */
  renumber(zone: string): void {
    const records = [...this.zone(zone).values()];
    this.zone(zone).clear();
    for (const r of records) this.zone(zone).set((r.id = this.nextId++), r);
  }

  async refresh(zone: string): Promise<void> {
    this.zone(zone);
    if (this.refreshing.has(zone)) {
      throw new ApiError(409, { class: 'Client::Conflict::RefreshInProgress', message: `A refresh of zone ${zone} is already in progress, retry later` });
    }
    this.refreshing.add(zone);
    try {
      await realSleep(this.refreshMs);
      await this.publish(zone);
    } finally {
      this.refreshing.delete(zone);
    }
  }

  /** Publishes every zone as the API holds it, unchanged names too (after a reset, so BIND matches again). */
  async refreshAll(zones: readonly string[] = this.zoneNames): Promise<void> {
    for (const zone of zones.filter((z) => this.zoneNames.includes(z))) await this.publish(zone, true);
  }

  private async publish(zone: string, everything = false): Promise<void> {
    const desired = new Map<string, { targets: string[]; ttl: number }>();
    for (const r of this.zone(zone).values()) {
      const name = r.subDomain === '' ? '@' : r.subDomain;
      const entry = desired.get(name) ?? { targets: [], ttl: r.ttl };
      entry.targets.push(r.target);
      entry.ttl = Math.min(entry.ttl, r.ttl);
      desired.set(name, entry);
    }
    const live = this.live.get(zone) ?? new Map<string, string>();
    const upsert: DnsRecord[] = [];
    for (const [name, d] of desired) {
      if (everything || live.get(name) !== key(d.targets, d.ttl)) upsert.push({ name, type: 'A', ttlSeconds: d.ttl, targets: d.targets });
    }
    const gone: DnsRecord[] = [...live.keys()].filter((n) => !desired.has(n)).map((name) => ({ name, type: 'A', ttlSeconds: 0, targets: [] }));
    if (upsert.length || gone.length) await this.publisher.publish(zone, { upsert, delete: gone });
    this.live.set(zone, new Map([...desired].map(([n, d]) => [n, key(d.targets, d.ttl)])));
  }

  private zone(zone: string): Map<number, ZoneRecord> {
    const z = this.records.get(zone);
    if (!z) throw notFound();
    return z;
  }
}

function key(targets: readonly string[], ttl: number): string {
  return `${[...targets].sort().join(',')}/${ttl}`;
}

function checkTtl(ttl: number): number {
  if (ttl !== 0 && ttl < 60) throw new ApiError(400, { class: 'Client::BadRequest', message: `Invalid TTL ${ttl}: must be 0 or at least 60` });
  return ttl;
}
