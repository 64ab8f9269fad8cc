import { HttpClient } from '../hooks/drivers/common/http';
import { realSleep } from '../hooks/drivers/common/retry';
import { Secret } from '../hooks/drivers/common/secret';
import { pointTo, type DnsProvider } from '../hooks/drivers/dns/index';
import { OvhDns } from '../hooks/drivers/dns/ovh';
import { Rfc2136Dns } from '../hooks/drivers/dns/rfc2136';
import { Route53Dns, route53Client, type Route53Config } from '../hooks/drivers/dns/route53';
import { parseHostPorts, verifyUntilVisible } from '../hooks/drivers/dns/verify';
import { OvhIplb } from '../hooks/drivers/lb/ovh-iplb';
import { OvhClient } from '../hooks/drivers/ovh/client';
import { currentEnv, down, up, type Env } from '../testenv/core';
import { allServices } from '../testenv/services';
import { elapsedMs, percentile } from './latency';

/**
 * Per-operation latencies of the traffic switch against the testenv (BIND primary + secondary, OVH and
 * Route 53 simulators with their artificial delays set to 0, so the figures are our overhead plus real
 * BIND propagation). Bounded: ROUNDS switches per backend. Usage: node dist/bench/dns-switch.js [ROUNDS]
 */
const ROUNDS = Math.min(Number(process.argv[2] ?? 10), 50);
const IPS = ['203.0.113.10', '198.51.100.20'];
/**
 * Pause between two switches: a BIND secondary defers a NOTIFY that arrives right after a transfer by ~0.5 s,
 * so back-to-back switches measure that deferral, not a failback's one switch. Set GAP_MS=0 to see it.
 */
const GAP_MS = Number(process.env.GAP_MS ?? 1000);

function stats(samples: number[]): string {
  const at = (q: number) => percentile(samples, q).toFixed(1);
  return `median ${at(0.5).padStart(7)} ms   p90 ${at(0.9).padStart(7)} ms   max ${at(1).padStart(7)} ms`;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await fn();
  return elapsedMs(started);
}

async function control(env: Env, base: string, path: string, body: unknown): Promise<void> {
  const http = new HttpClient('bench', env[base], { caFile: env.PRA_TESTENV_CA });
  await http.send({ method: 'POST', url: `${env[base]}/${path}`, body: JSON.stringify(body) });
  http.close();
}

async function benchDns(label: string, dns: DnsProvider, out: string[]): Promise<void> {
  const name = `bench-${process.pid}`;
  await dns.applyChanges(pointTo(name, IPS[1], 60));
  const apply: number[] = [];
  const visibleAll: number[] = [];
  const verifyOnce: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const ip = IPS[i % 2];
    await realSleep(GAP_MS);
    const started = process.hrtime.bigint();
    apply.push(await timed(() => dns.applyChanges(pointTo(name, ip, 60))));
    const v = await verifyUntilVisible(dns, { name, addresses: [ip] }, { timeoutMs: 10000, intervalMs: 5 });
    if (!v.ok) throw new Error(`${label}: not visible on ${v.lagging.join(', ')}`);
    visibleAll.push(elapsedMs(started));
    verifyOnce.push(await timed(() => dns.verify({ name, addresses: [ip] })));
  }
  await dns.applyChanges({ delete: [{ name, type: 'A', ttlSeconds: 60, targets: [] }] });
  out.push(`${label.padEnd(10)} applyChanges          ${stats(apply)}`);
  out.push(`${label.padEnd(10)} switch -> all NS      ${stats(visibleAll)}`);
  out.push(`${label.padEnd(10)} verify (2 NS)         ${stats(verifyOnce)}`);
}

async function main(): Promise<void> {
  const wasUp = currentEnv() !== undefined;
  const env = await up(allServices.filter((s) => ['tls', 'bind', 'ovh', 'route53'].includes(s.name)));
  const nameservers = parseHostPorts(env.PRA_TESTENV_DNS_SERVERS);
  const zone = env.PRA_TESTENV_DNS_ZONE;
  const http = new HttpClient('bench ovh', env.PRA_TESTENV_OVH_ENDPOINT, { caFile: env.PRA_TESTENV_CA });
  const ovh = new OvhClient(
    'bench ovh',
    { endpoint: env.PRA_TESTENV_OVH_ENDPOINT, applicationKey: env.PRA_TESTENV_OVH_APP_KEY, applicationSecret: new Secret(env.PRA_TESTENV_OVH_APP_SECRET), consumerKey: new Secret(env.PRA_TESTENV_OVH_CONSUMER_KEY) },
    { http },
  );
  const r53: Route53Config = {
    zone,
    hostedZoneId: env.PRA_TESTENV_R53_ZONE_ID,
    endpoint: env.PRA_TESTENV_R53_ENDPOINT,
    caFile: env.PRA_TESTENV_CA,
    credentials: { accessKeyId: new Secret(env.PRA_TESTENV_R53_ACCESS_KEY_ID), secretAccessKey: new Secret(env.PRA_TESTENV_R53_SECRET_ACCESS_KEY) },
    wait: { minDelaySeconds: 0.05, maxDelaySeconds: 0.2, maxWaitSeconds: 30 },
    verification: { nameservers },
  };
  const out: string[] = [`DNS/LB switch latencies, ${ROUNDS} switches per backend, testenv on 127.0.0.1 (simulator delays 0, ${GAP_MS} ms between switches)`];
  try {
    await control(env, 'PRA_TESTENV_OVH_CONTROL', 'faults', { refreshMs: 0, taskMs: 0 });
    await control(env, 'PRA_TESTENV_R53_CONTROL', 'faults', { insyncAfterMs: 0 });
    const tsig = { name: env.PRA_TESTENV_TSIG_NAME, algorithm: 'hmac-sha256' as const, secret: new Secret(env.PRA_TESTENV_TSIG_SECRET) };
    await benchDns('rfc2136', new Rfc2136Dns({ zone, server: parseHostPorts(env.PRA_TESTENV_DNS_PRIMARY)[0], key: tsig, nameservers }), out);
    await benchDns('ovh', new OvhDns({ zone, verification: { nameservers } }, { ovh }), out);
    await benchDns('route53', new Route53Dns(r53, { client: route53Client(r53) }), out);
    const servers = Object.fromEntries(env.PRA_TESTENV_OVH_IPLB_SERVERS.split(',').map((p) => p.split('=')).map(([site, id]) => [site, Number(id)]));
    const lb = new OvhIplb({ serviceName: env.PRA_TESTENV_OVH_IPLB_SERVICE, farmId: Number(env.PRA_TESTENV_OVH_IPLB_FARM), servers, taskPollMs: 5 }, { ovh });
    const switches: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const site = i % 2 ? 'sbg' : 'rbx';
      switches.push(await timed(() => lb.switchTo(site)));
      if (!(await lb.verify(site)).ok) throw new Error(`iplb: switch to ${site} not verified`);
    }
    out.push(`${'ovh-iplb'.padEnd(10)} switchTo (+task wait) ${stats(switches)}`);
  } finally {
    await control(env, 'PRA_TESTENV_OVH_CONTROL', 'reset', {});
    await control(env, 'PRA_TESTENV_R53_CONTROL', 'reset', {});
    http.close();
    if (!wasUp) down();
  }
  process.stdout.write(out.join('\n') + '\n');
}

main().catch((e: Error) => {
  process.stderr.write(`bench dns-switch: ${e.message}\n`);
  process.exit(1);
});
