import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { portOpen, REPO_ROOT, type Service } from '../core';
import { DRILL_LANES } from '../drill/lanes';

export const HAPROXY_BACKEND = 'be_app';
/** Server name of each site in the backend: deliberately not the site names, so drivers must map them. */
const HAPROXY_SERVERS: Readonly<Record<string, string>> = { rbx: 'web-rbx', sbg: 'web-sbg' };

/** The backend of each drill lane (testenv/drill/lanes.ts): drills side by side switch their own. */
const drillBackends = Array.from({ length: DRILL_LANES }, (_, lane) => `be_drill${lane}`);

/**
 * HAProxy 2.6 in master-worker mode: one frontend, one backend with a server per site, each pointing at
 * a tiny listener that answers its site's name; the same backend again for each drill lane. The admin socket (also on a loopback TCP port) is the
 * runtime API the LB driver uses; the server-state file (written from `show servers state` before a
 * reload) keeps runtime states across reloads; the master socket accepts `reload`.
 */
export const haproxyService: Service = {
  name: 'haproxy',
  debianPackages: ['haproxy'],
  async start(ctx) {
    const siteWeb = join(REPO_ROOT, 'dist/testenv/sims/site-web/main.js');
    if (!existsSync(siteWeb)) throw new Error(`testenv haproxy: ${siteWeb} is missing; run npx tsc -p tsconfig.json first`);
    const sitePorts: Record<string, number> = {};
    for (const site of Object.keys(HAPROXY_SERVERS)) sitePorts[site] = await ctx.freePort();
    ctx.daemon('site-web', process.execPath, [siteWeb, ...Object.entries(sitePorts).map(([site, port]) => `${site}=${port}`)]);

    const frontendPort = await ctx.freePort();
    const adminPort = await ctx.freePort();
    const adminSocket = join(ctx.dir, 'admin.sock');
    const masterSocket = join(ctx.dir, 'master.sock');
    const stateFile = join(ctx.dir, 'server-state');
    const config = join(ctx.dir, 'haproxy.cfg');
    writeFileSync(
      config,
      [
        'global',
        `    stats socket ${adminSocket} mode 600 level admin`,
        // The same runtime API over TCP, as a balancer on another machine would expose it.
        `    stats socket ipv4@127.0.0.1:${adminPort} level admin`,
        `    server-state-file ${stateFile}`,
        'defaults',
        '    mode http',
        '    timeout connect 2s',
        '    timeout client 10s',
        '    timeout server 10s',
        '    load-server-state-from-file global',
        'frontend fe_app',
        `    bind 127.0.0.1:${frontendPort}`,
        `    default_backend ${HAPROXY_BACKEND}`,
        ...[HAPROXY_BACKEND, ...drillBackends].flatMap((backend) => [
          `backend ${backend}`,
          ...Object.entries(HAPROXY_SERVERS).map(([site, server]) => `    server ${server} 127.0.0.1:${sitePorts[site]}`),
        ]),
        '',
      ].join('\n'),
    );
    for (const port of Object.values(sitePorts)) await ctx.waitForPort(port, 'site-web');
    ctx.daemon('haproxy', 'haproxy', ['-W', '-S', masterSocket, '-db', '-f', config]);
    await ctx.waitForPort(frontendPort, 'haproxy');
    return {
      PRA_TESTENV_HAPROXY_SOCKET: adminSocket,
      PRA_TESTENV_HAPROXY_ADMIN_ADDRESS: `127.0.0.1:${adminPort}`,
      PRA_TESTENV_HAPROXY_MASTER_SOCKET: masterSocket,
      PRA_TESTENV_HAPROXY_STATE_FILE: stateFile,
      PRA_TESTENV_HAPROXY_URL: `http://127.0.0.1:${frontendPort}`,
      PRA_TESTENV_HAPROXY_BACKEND: HAPROXY_BACKEND,
      PRA_TESTENV_HAPROXY_DRILL_BACKENDS: drillBackends.join(','),
      PRA_TESTENV_HAPROXY_SERVER_RBX: HAPROXY_SERVERS.rbx,
      PRA_TESTENV_HAPROXY_SERVER_SBG: HAPROXY_SERVERS.sbg,
    };
  },
  async healthy(env) {
    return portOpen(Number(new URL(env.PRA_TESTENV_HAPROXY_URL).port));
  },
};
