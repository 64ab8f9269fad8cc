import { randomBytes } from 'node:crypto';
import { loadTopology } from '../../topology';
import { EXAMPLE_TOPOLOGY, portOpen, type Service } from '../core';
import { startSimulator } from './simulator';

/** What the simulator needs of the `vcenter` service to power VMs there, passed through its environment. */
const VCENTER_ENV = /^PRA_TESTENV_(VCENTER_(USER|PASSWORD|[A-Z0-9]+_(URL|CONTROL_URL|DATACENTER))|CA)$/;

/**
 * Our Zerto API simulator (testenv/sims/zerto), one daemon serving one HTTPS ZVM API port per site with the
 * testenv certificate, and a plain-HTTP control port. Credentials are random for each start. It gets the
 * vCenter simulators' endpoints and credentials through its environment (never argv): its default instance
 * powers the recovered VMs on in vcsim as Zerto does.
 */
export const zertoService: Service = {
  name: 'zerto',
  debianPackages: [],
  async start(ctx) {
    const topology = loadTopology(EXAMPLE_TOPOLOGY);
    const sites = topology.sites.map((s) => s.name);
    const primary = topology.sites.find((s) => s.role === 'primary') ?? topology.sites[0];
    const sitePorts: Record<string, number> = {};
    for (const site of sites) sitePorts[site] = await ctx.freePort();
    const credentials = {
      PRA_TESTENV_ZERTO_USERNAME: 'pra-automation',
      PRA_TESTENV_ZERTO_PASSWORD: randomBytes(12).toString('base64url'),
      PRA_TESTENV_ZERTO_CLIENT_ID: 'pra-failback',
      PRA_TESTENV_ZERTO_CLIENT_SECRET: randomBytes(12).toString('base64url'),
    };
    // The port startSimulator gives is the control port (the daemon listens there last, once its ZVMs answer).
    const controlPort = await startSimulator(ctx, 'zerto', {
      ZERTO_SIM_USERNAME: credentials.PRA_TESTENV_ZERTO_USERNAME,
      ZERTO_SIM_PASSWORD: credentials.PRA_TESTENV_ZERTO_PASSWORD,
      ZERTO_SIM_CLIENT_ID: credentials.PRA_TESTENV_ZERTO_CLIENT_ID,
      ZERTO_SIM_CLIENT_SECRET: credentials.PRA_TESTENV_ZERTO_CLIENT_SECRET,
    }, {
      passEnv: VCENTER_ENV,
      args: (port) => [
        '--topology', EXAMPLE_TOPOLOGY,
        '--cert', ctx.env.PRA_TESTENV_TLS_CERT,
        '--key', ctx.env.PRA_TESTENV_TLS_KEY,
        '--control-port', String(port),
        ...sites.flatMap((s) => ['--site', `${s}=${sitePorts[s]}`]),
      ],
    });
    const urls = Object.fromEntries(sites.map((s) => [`PRA_TESTENV_ZERTO_${s.toUpperCase()}_URL`, `https://127.0.0.1:${sitePorts[s]}`]));
    return {
      ...urls,
      // The failback's ZVM: the primary site's, the recovery site of the VPG that brings production back.
      PRA_TESTENV_ZERTO_URL: `https://127.0.0.1:${sitePorts[primary.name]}`,
      PRA_TESTENV_ZERTO_CONTROL_URL: `http://127.0.0.1:${controlPort}`,
      ...credentials,
    };
  },
  async healthy(env) {
    return portOpen(Number(new URL(env.PRA_TESTENV_ZERTO_CONTROL_URL).port));
  },
};
