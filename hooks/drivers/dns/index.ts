/**
 * One interface for every DNS backend (OVHcloud API, Route 53, RFC 2136), after external-dns's provider:
 * read the records, apply a plan, then verify on every authoritative nameserver. A switch is done only
 * when `verify` says so: an accepted API call proves nothing (OVH needs a refresh, Route 53 and
 * secondaries propagate asynchronously).
 */

/** An A record set. `name` is relative to the zone (`app`, or `@` for the apex). */
export interface DnsRecord {
  readonly name: string;
  readonly type: 'A';
  readonly ttlSeconds: number;
  readonly targets: readonly string[];
}

/** What `applyChanges` does: each upsert replaces the whole set at its name; each delete removes it. */
export interface DnsChanges {
  readonly upsert?: readonly DnsRecord[];
  readonly delete?: readonly DnsRecord[];
}

/** What one authoritative nameserver answered. */
export interface NameserverAnswer {
  /** `host:port`, or `ns1.example.net (192.0.2.1)` when resolved from the zone's NS records. */
  readonly nameserver: string;
  readonly addresses: readonly string[];
  /** The zone's SOA serial on that server: tells which version of the zone it serves. */
  readonly serial?: number;
  /** Set when the server could not be asked (timeout, refused, SERVFAIL). */
  readonly error?: string;
}

export interface ExpectedRecord {
  readonly name: string;
  readonly addresses: readonly string[];
}

export interface DnsVerification {
  /** True only when every nameserver answered exactly the expected addresses. */
  readonly ok: boolean;
  readonly expected: ExpectedRecord;
  readonly answers: readonly NameserverAnswer[];
  /** Nameservers that answered something else or nothing: what an operator looks at first. */
  readonly lagging: readonly string[];
}

export interface DnsProvider {
  /** `dns ovh`, `dns route53`, `dns rfc2136`: the system named in errors and logs. */
  readonly system: string;
  readonly zone: string;
  /** The A records at `name` as the provider itself holds them (for OVH: including changes not yet refreshed). */
  records(name: string): Promise<DnsRecord[]>;
  /** Applies the changes and returns once the provider accepted them and started publishing them. */
  applyChanges(changes: DnsChanges): Promise<void>;
  /** Asks every authoritative nameserver directly. */
  verify(expected: ExpectedRecord): Promise<DnsVerification>;
}

/** The plan that points `name` at one address: what a traffic switch applies. */
export function pointTo(name: string, address: string, ttlSeconds: number): DnsChanges {
  return { upsert: [{ name, type: 'A', ttlSeconds, targets: [address] }] };
}

/** `app` + `example.com` -> `app.example.com`; `@` is the apex. */
export function fqdn(name: string, zone: string): string {
  return name === '@' ? zone : `${name}.${zone}`;
}
