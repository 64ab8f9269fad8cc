import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTopology } from '../../topology';
import { EXAMPLE_TOPOLOGY, portOpen, REPO_ROOT, type Env, type Service } from '../core';
import { buildVcsim } from '../vcsim/build';
import { siteInventory } from '../vcsim/inventory';

const USER = 'pra-automation@vsphere.local';

/**
 * One vCenter simulator per topology site (our Go main over govmomi's simulator, see
 * testenv/vcsim), with the site's datacenter name and VMs, TLS with the testenv certificate and a
 * random password; plus a fault-injecting proxy in front of the first site's simulator
 * (testenv/sims/vcenter-proxy) for the tests that need 5xx, hangs or expired sessions.
 */
export const vcenterService: Service = {
  name: 'vcenter',
  debianPackages: ['golang-go', 'golang-github-vmware-govmomi-dev'],
  async start(ctx) {
    const binary = buildVcsim((line) => process.stderr.write(`testenv: ${line}\n`));
    const topology = loadTopology(EXAMPLE_TOPOLOGY);
    const password = randomBytes(12).toString('base64url');
    const env: Env = { PRA_TESTENV_VCENTER_USER: USER, PRA_TESTENV_VCENTER_PASSWORD: password };
    for (const site of topology.sites) {
      const port = await ctx.freePort();
      const inventory = join(ctx.dir, `${site.name}-inventory.json`);
      writeFileSync(inventory, JSON.stringify({ vms: siteInventory(topology, site.name) }));
      const logName = `vcsim-${site.name}`;
      ctx.daemon(logName, binary, [
        '-listen', `127.0.0.1:${port}`,
        '-username', USER,
        '-tls-cert', ctx.env.PRA_TESTENV_TLS_CERT,
        '-tls-key', ctx.env.PRA_TESTENV_TLS_KEY,
        '-datacenter', site.vcenter.datacenter,
        '-inventory', inventory,
      ], { env: { ...process.env, VCSIM_PASSWORD: password } });
      await ctx.waitForLog(logName, 'vcsim ready'); // vcsim opens its port before it has created the inventory
      const prefix = `PRA_TESTENV_VCENTER_${site.name.toUpperCase()}`;
      env[`${prefix}_URL`] = `https://127.0.0.1:${port}/sdk`;
      env[`${prefix}_DATACENTER`] = site.vcenter.datacenter;
      env[`${prefix}_CONTROL_URL`] = `https://127.0.0.1:${port}/pra/vms`;
    }

    const faulty = topology.sites[0];
    const proxyPort = await ctx.freePort();
    const controlPort = await ctx.freePort();
    ctx.daemon('vcenter-proxy', process.execPath, [
      join(REPO_ROOT, 'dist/testenv/sims/vcenter-proxy/main.js'),
      '--listen', String(proxyPort),
      '--control-port', String(controlPort),
      '--upstream', env[`PRA_TESTENV_VCENTER_${faulty.name.toUpperCase()}_URL`],
      '--cert', ctx.env.PRA_TESTENV_TLS_CERT,
      '--key', ctx.env.PRA_TESTENV_TLS_KEY,
      '--ca', ctx.env.PRA_TESTENV_CA,
    ]);
    await ctx.waitForPort(proxyPort, 'vcenter-proxy');
    await ctx.waitForPort(controlPort, 'vcenter-proxy');
    env.PRA_TESTENV_VCENTER_PROXY_URL = `https://127.0.0.1:${proxyPort}/sdk`;
    env.PRA_TESTENV_VCENTER_PROXY_DATACENTER = faulty.vcenter.datacenter;
    env.PRA_TESTENV_VCENTER_PROXY_CONTROL_URL = `http://127.0.0.1:${controlPort}`;
    return env;
  },
  async healthy(env) {
    const urls = Object.entries(env)
      .filter(([key]) => /^PRA_TESTENV_VCENTER_\w+_URL$/.test(key))
      .map(([, url]) => Number(new URL(url).port));
    const open = await Promise.all(urls.map((port) => portOpen(port)));
    return open.every(Boolean);
  },
};
