import { HttpClient } from '../../hooks/drivers/common/http';
import { Secret } from '../../hooks/drivers/common/secret';
import type { DnsProvider, ExpectedRecord } from '../../hooks/drivers/dns/index';
import { OvhDns } from '../../hooks/drivers/dns/ovh';
import { Rfc2136Dns } from '../../hooks/drivers/dns/rfc2136';
import { Route53Dns, route53Client, type Route53Config } from '../../hooks/drivers/dns/route53';
import { parseHostPorts, verifyUntilVisible } from '../../hooks/drivers/dns/verify';
import { OvhClient } from '../../hooks/drivers/ovh/client';

/** Drivers pointed at the testenv (BIND, OVH and Route 53 simulators), built from PRA_TESTENV_* entries. */

export function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the testenv did not start (jest global setup)`);
  return value;
}

export const RBX_IP = '203.0.113.10';
export const SBG_IP = '198.51.100.20';
export const nameservers = () => parseHostPorts(env('PRA_TESTENV_DNS_SERVERS'));

/** A record name no other test uses, so test files running in parallel never share one. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

const clients: HttpClient[] = [];
export function closeClients(): void {
  for (const c of clients.splice(0)) c.close();
}

export function ovhClient(options: { clock?: () => number; applicationSecret?: string; system?: string } = {}): OvhClient {
  const endpoint = env('PRA_TESTENV_OVH_ENDPOINT');
  const http = new HttpClient(options.system ?? 'dns ovh', endpoint, { caFile: env('PRA_TESTENV_CA') });
  clients.push(http);
  return new OvhClient(
    options.system ?? 'dns ovh',
    {
      endpoint,
      applicationKey: env('PRA_TESTENV_OVH_APP_KEY'),
      applicationSecret: new Secret(options.applicationSecret ?? env('PRA_TESTENV_OVH_APP_SECRET')),
      consumerKey: new Secret(env('PRA_TESTENV_OVH_CONSUMER_KEY')),
    },
    { http, clock: options.clock },
  );
}

export function ovhDns(ovh: OvhClient = ovhClient(), log?: (line: string) => void): OvhDns {
  return new OvhDns({ zone: env('PRA_TESTENV_DNS_ZONE'), verification: { nameservers: nameservers() } }, { ovh, log });
}

export function rfc2136Dns(options: { secret?: string; zone?: string; server?: string; log?: (line: string) => void } = {}): Rfc2136Dns {
  return new Rfc2136Dns(
    {
      zone: options.zone ?? env('PRA_TESTENV_DNS_ZONE'),
      server: parseHostPorts(options.server ?? env('PRA_TESTENV_DNS_PRIMARY'))[0],
      key: { name: env('PRA_TESTENV_TSIG_NAME'), algorithm: 'hmac-sha256', secret: new Secret(options.secret ?? env('PRA_TESTENV_TSIG_SECRET')) },
      nameservers: nameservers(),
    },
    { log: options.log },
  );
}

export function route53Dns(options: { secretAccessKey?: string; log?: (line: string) => void } = {}): Route53Dns {
  const config: Route53Config = {
    zone: env('PRA_TESTENV_DNS_ZONE'),
    hostedZoneId: env('PRA_TESTENV_R53_ZONE_ID'),
    endpoint: env('PRA_TESTENV_R53_ENDPOINT'),
    caFile: env('PRA_TESTENV_CA'),
    credentials: { accessKeyId: new Secret(env('PRA_TESTENV_R53_ACCESS_KEY_ID')), secretAccessKey: new Secret(options.secretAccessKey ?? env('PRA_TESTENV_R53_SECRET_ACCESS_KEY')) },
    wait: { minDelaySeconds: 0.2, maxDelaySeconds: 0.5, maxWaitSeconds: 30 },
    verification: { nameservers: nameservers() },
  };
  return new Route53Dns(config, { client: route53Client(config), log: options.log });
}

/** POSTs JSON to a simulator's control endpoint (PRA_TESTENV_OVH_CONTROL or PRA_TESTENV_R53_CONTROL). */
export async function control<T = unknown>(base: string, path: string, body: unknown = {}): Promise<T> {
  const http = new HttpClient('testenv control', env(base), { caFile: env('PRA_TESTENV_CA') });
  try {
    const res = await http.send({ method: 'POST', url: `${env(base)}/${path}`, body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
    return JSON.parse(res.body) as T;
  } finally {
    http.close();
  }
}

/** Bounded wait for a change to reach every nameserver (never an assertion on speed). */
export function visible(provider: DnsProvider, expected: ExpectedRecord) {
  return verifyUntilVisible(provider, expected, { timeoutMs: 10000, intervalMs: 20 });
}
