import { promises as dns } from 'node:dns';
import { PermanentError } from '../common/errors';
import { realSleep, type Sleep } from '../common/retry';
import { fqdn, type DnsProvider, type DnsVerification, type ExpectedRecord, type NameserverAnswer } from './index';

/** An authoritative server to ask, as configured (`nameservers` of the topology) or resolved. */
export interface NameserverAddress {
  readonly host: string;
  readonly port: number;
  /** How reports name it; defaults to `host:port`. */
  readonly label?: string;
}

export interface NameserverCheckOptions {
  /** Servers to ask; when absent, the zone's NS records are resolved (through the system resolver). */
  readonly nameservers?: readonly NameserverAddress[];
  /** Per query. @default 2000 */
  readonly timeoutMs?: number;
}

/**
 * Verifies a record on every authoritative nameserver of a zone, asking each one directly (never a caching
 * resolver, whose answer follows only after the old TTL). Shared by every DNS backend.
 */
export class AuthoritativeCheck {
  constructor(
    private readonly system: string,
    private readonly zone: string,
    private readonly options: NameserverCheckOptions = {},
  ) {}

  async verify(expected: ExpectedRecord): Promise<DnsVerification> {
    const servers = this.options.nameservers ?? (await this.resolveNameservers());
    const answers = await Promise.all(servers.map((s) => this.ask(s, fqdn(expected.name, this.zone))));
    const want = [...expected.addresses].sort().join(',');
    const lagging = answers.filter((a) => a.error !== undefined || [...a.addresses].sort().join(',') !== want).map((a) => a.nameserver);
    return { ok: lagging.length === 0, expected, answers, lagging };
  }

  /** The A records at `name` on one server (the backends' `records()` of RFC 2136 reads its primary). */
  async addresses(server: NameserverAddress, name: string): Promise<{ address: string; ttl: number }[]> {
    return this.resolver(server).resolve4(fqdn(name, this.zone), { ttl: true }).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENODATA' || e.code === 'ENOTFOUND') return [];
      throw e;
    });
  }

  private resolver(server: NameserverAddress): dns.Resolver {
    // A fresh resolver per question: c-ares keeps a query cache per channel, which would hide a change.
    const resolver = new dns.Resolver({ timeout: this.options.timeoutMs ?? 2000, tries: 2 });
    resolver.setServers([`${server.host}:${server.port}`]);
    return resolver;
  }

  private async ask(server: NameserverAddress, name: string): Promise<NameserverAnswer> {
    const nameserver = server.label ?? `${server.host}:${server.port}`;
    const [addresses, soa] = await Promise.allSettled([
      this.resolver(server).resolve4(name),
      this.resolver(server).resolveSoa(this.zone),
    ]);
    const serial = soa.status === 'fulfilled' ? soa.value.serial : undefined;
    if (addresses.status === 'fulfilled') return { nameserver, addresses: addresses.value, serial };
    const code = (addresses.reason as NodeJS.ErrnoException).code ?? 'error';
    // NXDOMAIN/NODATA is an answer (no address), not a failure to ask.
    if (code === 'ENOTFOUND' || code === 'ENODATA') return { nameserver, addresses: [], serial };
    return { nameserver, addresses: [], serial, error: code };
  }

  private async resolveNameservers(): Promise<NameserverAddress[]> {
    let hosts: string[];
    try {
      hosts = await dns.resolveNs(this.zone);
    } catch (e) {
      throw new PermanentError(this.system, `cannot resolve the NS records of ${this.zone} (${(e as NodeJS.ErrnoException).code}); set traffic.dns.nameservers`);
    }
    const servers = await Promise.all(
      hosts.map(async (host) => {
        const ips = await dns.resolve4(host).catch(() => [] as string[]);
        if (!ips.length) return [{ host, port: 53, label: `${host} (unresolved)` }];
        return ips.map((ip) => ({ host: ip, port: 53, label: `${host} (${ip})` }));
      }),
    );
    return servers.flat();
  }
}

/** Parses `host:port,host:port` (the testenv's PRA_TESTENV_DNS_SERVERS form). */
export function parseHostPorts(list: string): NameserverAddress[] {
  return list
    .split(',')
    .filter(Boolean)
    .map((hp) => {
      const i = hp.lastIndexOf(':');
      return i < 0 ? { host: hp, port: 53 } : { host: hp.slice(0, i), port: Number(hp.slice(i + 1)) };
    });
}

/**
 * Asks `verify` again until every nameserver answers the expected addresses, or `timeoutMs` passed;
 * returns the last verification either way (the caller decides; its `lagging` names who is behind).
 */
export async function verifyUntilVisible(
  provider: DnsProvider,
  expected: ExpectedRecord,
  options: { readonly timeoutMs: number; readonly intervalMs?: number; readonly sleep?: Sleep },
): Promise<DnsVerification> {
  const sleep = options.sleep ?? realSleep;
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const verification = await provider.verify(expected);
    if (verification.ok || Date.now() >= deadline) return verification;
    await sleep(options.intervalMs ?? 250);
  }
}
