import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../hooks/drivers/common/atomic-file';
import { realSleep } from '../../hooks/drivers/common/retry';
import { portOpen, type Env, type Service } from '../core';

/**
 * BIND 9 authoritative for the test zones, as two nameservers: a primary that takes RFC 2136 updates
 * signed with a TSIG key (HMAC-SHA256), and a secondary that follows it by NOTIFY + IXFR, as a real
 * provider's second NS does. Tests can hold back the secondary's transfers of a zone (the primary stops
 * allowing them) to get "one NS still answers the old address"; see `testenv/bind-control.ts`.
 *
 * `example.test` holds `app` at the SBG public IP of the example topology; `lag.test` is the zone the
 * lagging-NS tests hold back, so they never disturb tests of other files running in parallel.
 */
export const TEST_ZONE = 'example.test';
export const LAG_ZONE = 'lag.test';
/** The drills' zone: each drill lane has its record there (testenv/drill/lanes.ts). */
export const DRILL_ZONE = 'drill.test';
/** The zone of the drill whose DNS refuses updates: the fault test freezes it without disturbing the drills beside it. */
export const DRILL_FAULT_ZONE = 'drill-fault.test';
export const SBG_PUBLIC_IP = '198.51.100.20';
const TSIG_KEY_NAME = 'pra-testenv';

export function gateFile(bindDir: string, zone: string): string {
  return join(bindDir, 'primary', `gate-${zone}.conf`);
}
export const TRANSFERS_ALLOWED = 'allow-transfer { 127.0.0.1; };\n';
export const TRANSFERS_HELD = 'allow-transfer { none; };\n';

function zoneFile(zone: string): string {
  // Long refresh/retry: the secondary learns of changes by NOTIFY only, so a held-back zone stays stale.
  return [
    '$TTL 60',
    `@ IN SOA ns1.${zone}. hostmaster.${zone}. 1 3600 3600 604800 60`,
    `@ IN NS ns1.${zone}.`,
    `@ IN NS ns2.${zone}.`,
    'ns1 IN A 127.0.0.1',
    'ns2 IN A 127.0.0.1',
    `app IN A ${SBG_PUBLIC_IP}`,
    '',
  ].join('\n');
}

function options(dir: string, port: number, extra: string): string {
  return `options {
  directory "${dir}";
  pid-file "${dir}/named.pid";
  session-keyfile "${dir}/session.key";
  listen-on port ${port} { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
${extra}
};
`;
}

export const bindService: Service = {
  name: 'bind',
  debianPackages: ['bind9', 'bind9-dnsutils'],
  async start(ctx) {
    const [primaryPort, secondaryPort, controlPort] = [await ctx.freePort(), await ctx.freePort(), await ctx.freePort()];
    const tsigSecret = randomBytes(32).toString('base64');
    const rndcSecret = randomBytes(32).toString('base64');
    const primaryDir = join(ctx.dir, 'primary');
    const secondaryDir = join(ctx.dir, 'secondary');
    for (const d of [primaryDir, secondaryDir]) mkdirSync(d, { recursive: true });
    const zones = [TEST_ZONE, LAG_ZONE, DRILL_ZONE, DRILL_FAULT_ZONE];

    for (const zone of zones) {
      // Each start serves fresh zones: an earlier start's journal makes named refuse the new zone file ("journal
      // out of sync"), and the secondary's old copy, at a higher serial, would never be transferred again.
      for (const stale of [`primary/${zone}.db.jnl`, `secondary/${zone}.db`, `secondary/${zone}.db.jnl`]) rmSync(join(ctx.dir, stale), { force: true });
      writeFileSync(join(primaryDir, `${zone}.db`), zoneFile(zone));
      writeFileSync(gateFile(ctx.dir, zone), TRANSFERS_ALLOWED);
    }
    // The primary's config holds the TSIG and rndc secrets: its owner (named runs as us) reads it, no one else.
    writeFileAtomic(
      join(primaryDir, 'named.conf'),
      options(primaryDir, primaryPort, `  notify explicit;\n  also-notify { 127.0.0.1 port ${secondaryPort}; };\n  notify-delay 0;`) +
        `key "${TSIG_KEY_NAME}" { algorithm hmac-sha256; secret "${tsigSecret}"; };\n` +
        `key "rndc" { algorithm hmac-sha256; secret "${rndcSecret}"; };\n` +
        `controls { inet 127.0.0.1 port ${controlPort} allow { 127.0.0.1; } keys { "rndc"; }; };\n` +
        zones
          .map((z) => `zone "${z}" { type primary; file "${z}.db"; update-policy { grant ${TSIG_KEY_NAME} zonesub ANY; }; include "${gateFile(ctx.dir, z)}"; };\n`)
          .join(''),
      0o600,
    );
    writeFileSync(
      join(secondaryDir, 'named.conf'),
      options(secondaryDir, secondaryPort, '  notify no;') +
        zones.map((z) => `zone "${z}" { type secondary; primaries { 127.0.0.1 port ${primaryPort}; }; file "${z}.db"; };\n`).join(''),
    );
    const rndcConf = join(ctx.dir, 'rndc.conf');
    writeFileAtomic(
      rndcConf,
      `key "rndc" { algorithm hmac-sha256; secret "${rndcSecret}"; };\noptions { default-key "rndc"; default-server 127.0.0.1; default-port ${controlPort}; };\n`,
      0o600,
    );

    // -g: foreground, logs on stderr (into the daemon log); -n 1: one worker, the machine is shared.
    ctx.daemon('primary', 'named', ['-g', '-n', '1', '-c', join(primaryDir, 'named.conf')]);
    await ctx.waitForPort(primaryPort, 'primary');
    ctx.daemon('secondary', 'named', ['-g', '-n', '1', '-c', join(secondaryDir, 'named.conf')]);
    await ctx.waitForPort(secondaryPort, 'secondary');
    await waitForSecondaryZones(secondaryPort, zones);

    const env: Env = {
      PRA_TESTENV_DNS_ZONE: TEST_ZONE,
      PRA_TESTENV_DNS_LAG_ZONE: LAG_ZONE,
      PRA_TESTENV_DNS_DRILL_ZONE: DRILL_ZONE,
      PRA_TESTENV_DNS_DRILL_FAULT_ZONE: DRILL_FAULT_ZONE,
      PRA_TESTENV_DNS_SERVERS: `127.0.0.1:${primaryPort},127.0.0.1:${secondaryPort}`,
      PRA_TESTENV_DNS_PRIMARY: `127.0.0.1:${primaryPort}`,
      PRA_TESTENV_TSIG_NAME: TSIG_KEY_NAME,
      PRA_TESTENV_TSIG_SECRET: tsigSecret,
      PRA_TESTENV_BIND_DIR: ctx.dir,
      PRA_TESTENV_BIND_RNDC_CONF: rndcConf,
    };
    return env;
  },
  async healthy(env) {
    const ports = env.PRA_TESTENV_DNS_SERVERS.split(',').map((hp) => Number(hp.split(':')[1]));
    return (await Promise.all(ports.map((p) => portOpen(p)))).every(Boolean);
  },
};

/** The secondary answers SERVFAIL until its first transfer: wait for it so tests start on a served zone. */
async function waitForSecondaryZones(port: number, zones: readonly string[]): Promise<void> {
  const deadline = Date.now() + 10000;
  for (const zone of zones) {
    for (;;) {
      const out = execFileSync('dig', ['+short', '+time=1', '+tries=1', `@127.0.0.1`, '-p', String(port), zone, 'SOA'], { encoding: 'utf8' });
      if (out.trim()) break;
      if (Date.now() > deadline) throw new Error(`testenv bind: secondary never transferred ${zone}; see .testenv/bind/secondary.log`);
      await realSleep(25);
    }
  }
}
