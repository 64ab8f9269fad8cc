import { HttpClient } from '../../hooks/drivers/common/http';
import { Secret } from '../../hooks/drivers/common/secret';
import type { DnsProvider, ExpectedRecord } from '../../hooks/drivers/dns/index';
import { OvhDns } from '../../hooks/drivers/dns/ovh';
import { Rfc2136Dns } from '../../hooks/drivers/dns/rfc2136';
import { Route53Dns, route53Client, type Route53Config } from '../../hooks/drivers/dns/route53';
import { parseHostPorts, verifyUntilVisible } from '../../hooks/drivers/dns/verify';
import { OvhClient } from '../../hooks/drivers/ovh/client';
import { testenv } from './testenv';

/** Drivers pointed at the testenv (BIND, OVH and Route 53 simulators), built from PRA_TESTENV_* entries. */

export const RBX_IP = '203.0.113.10';
export const SBG_IP = '198.51.100.20';
export const nameservers = () => parseHostPorts(testenv('DNS_SERVERS'));

/** The OVH IPLB farm server id of each site (PRA_TESTENV_OVH_IPLB_SERVERS: `site=id,...`). */
export function ovhIplbServers(): Record<string, number> {
  return Object.fromEntries(testenv('OVH_IPLB_SERVERS').split(',').map((pair) => pair.split('=')).map(([site, id]) => [site, Number(id)]));
}

/** The OVH API endpoint and credentials as a topology declares them (secrets referenced by env). */
export function ovhTopologyCredentials() {
  return {
    endpoint: testenv('OVH_ENDPOINT'),
    caFile: testenv('CA'),
    applicationKey: testenv('OVH_APP_KEY'),
    applicationSecret: { env: 'PRA_TESTENV_OVH_APP_SECRET' },
    consumerKey: { env: 'PRA_TESTENV_OVH_CONSUMER_KEY' },
  };
}

/** A record name no other test uses, so test files running in parallel never share one. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

const clients: HttpClient[] = [];
export function closeClients(): void {
  for (const c of clients.splice(0)) c.close();
}

export function ovhClient(options: { clock?: () => number; applicationSecret?: string; system?: string } = {}): OvhClient {
  const endpoint = testenv('OVH_ENDPOINT');
  const http = new HttpClient(options.system ?? 'dns ovh', endpoint, { caFile: testenv('CA') });
  clients.push(http);
  return new OvhClient(
    options.system ?? 'dns ovh',
    {
      endpoint,
      applicationKey: testenv('OVH_APP_KEY'),
      applicationSecret: new Secret(options.applicationSecret ?? testenv('OVH_APP_SECRET')),
      consumerKey: new Secret(testenv('OVH_CONSUMER_KEY')),
    },
    { http, clock: options.clock },
  );
}

export function ovhDns(ovh: OvhClient = ovhClient(), log?: (line: string) => void): OvhDns {
  return new OvhDns({ zone: testenv('DNS_ZONE'), verification: { nameservers: nameservers() } }, { ovh, log });
}

export function rfc2136Dns(options: { secret?: string; zone?: string; server?: string; log?: (line: string) => void } = {}): Rfc2136Dns {
  return new Rfc2136Dns(
    {
      zone: options.zone ?? testenv('DNS_ZONE'),
      server: parseHostPorts(options.server ?? testenv('DNS_PRIMARY'))[0],
      key: { name: testenv('TSIG_NAME'), algorithm: 'hmac-sha256', secret: new Secret(options.secret ?? testenv('TSIG_SECRET')) },
      nameservers: nameservers(),
    },
    { log: options.log },
  );
}

export function route53Dns(options: { secretAccessKey?: string; log?: (line: string) => void } = {}): Route53Dns {
  const config: Route53Config = {
    zone: testenv('DNS_ZONE'),
    hostedZoneId: testenv('R53_ZONE_ID'),
    endpoint: testenv('R53_ENDPOINT'),
    caFile: testenv('CA'),
    credentials: { accessKeyId: new Secret(testenv('R53_ACCESS_KEY_ID')), secretAccessKey: new Secret(options.secretAccessKey ?? testenv('R53_SECRET_ACCESS_KEY')) },
    wait: { minDelaySeconds: 0.2, maxDelaySeconds: 0.5, maxWaitSeconds: 30 },
    verification: { nameservers: nameservers() },
  };
  return new Route53Dns(config, { client: route53Client(config), log: options.log });
}

/** POSTs JSON to a simulator's control endpoint (`base` is the testenv suffix: OVH_CONTROL or R53_CONTROL). */
export async function control<T = unknown>(base: 'OVH_CONTROL' | 'R53_CONTROL', path: string, body: unknown = {}): Promise<T> {
  const url = testenv(base);
  const http = new HttpClient('testenv control', url, { caFile: testenv('CA') });
  try {
    const res = await http.send({ method: 'POST', url: `${url}/${path}`, body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
    return JSON.parse(res.body) as T;
  } finally {
    http.close();
  }
}

/**
 * Bounded wait for a change to reach every nameserver (never an assertion on speed): a minute, as a secondary
 * let go after held transfers took over 10 s to catch up next to 24 fork loops (bench:loaded).
 */
export function visible(provider: DnsProvider, expected: ExpectedRecord) {
  return verifyUntilVisible(provider, expected, { timeoutMs: 60_000, intervalMs: 20 });
}
