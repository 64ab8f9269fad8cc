import { randomBytes } from 'node:crypto';
import { portOpen, type Service } from '../core';
import { DRILL_ZONE, LAG_ZONE, SBG_PUBLIC_IP, TEST_ZONE } from './bind';
import { BIND_PUBLISHER_ENV, startSimulator } from './simulator';

/** Site public IPs of the example topology, used as IPLB farm servers. */
const IPLB_LAYOUT = {
  serviceName: 'loadbalancer-pra-test',
  farmId: 101,
  servers: [
    { site: 'sbg', serverId: 2002, address: SBG_PUBLIC_IP },
    { site: 'rbx', serverId: 1001, address: '203.0.113.10' },
  ],
};

/**
 * The OVHcloud API simulator (DNS zones published into the testenv BIND, one IPLB service), over HTTPS with
 * the testenv certificate. Needs `tls` and `bind` started before it. Credentials are made up per start.
 */
export const ovhService: Service = {
  name: 'ovh',
  debianPackages: [],
  async start(ctx) {
    const creds = {
      PRA_TESTENV_OVH_APP_KEY: `pra-${randomBytes(6).toString('hex')}`,
      PRA_TESTENV_OVH_APP_SECRET: randomBytes(16).toString('hex'),
      PRA_TESTENV_OVH_CONSUMER_KEY: randomBytes(16).toString('hex'),
    };
    const port = await startSimulator(ctx, 'ovh', {
      PRA_SIM_OVH_APP_KEY: creds.PRA_TESTENV_OVH_APP_KEY,
      PRA_SIM_OVH_APP_SECRET: creds.PRA_TESTENV_OVH_APP_SECRET,
      PRA_SIM_OVH_CONSUMER_KEY: creds.PRA_TESTENV_OVH_CONSUMER_KEY,
      PRA_SIM_OVH_ZONES: [TEST_ZONE, LAG_ZONE, DRILL_ZONE].join(','), // the drill zone: for drills of topologies on OVH DNS
      PRA_SIM_OVH_INITIAL_TARGET: SBG_PUBLIC_IP,
      PRA_SIM_OVH_IPLB: JSON.stringify(IPLB_LAYOUT),
    }, { passEnv: BIND_PUBLISHER_ENV });
    return {
      ...creds,
      PRA_TESTENV_OVH_ENDPOINT: `https://127.0.0.1:${port}/1.0`,
      PRA_TESTENV_OVH_CONTROL: `https://127.0.0.1:${port}/__control`,
      PRA_TESTENV_OVH_IPLB_SERVICE: IPLB_LAYOUT.serviceName,
      PRA_TESTENV_OVH_IPLB_FARM: String(IPLB_LAYOUT.farmId),
      PRA_TESTENV_OVH_IPLB_SERVERS: IPLB_LAYOUT.servers.map((s) => `${s.site}=${s.serverId}`).join(','),
    };
  },
  async healthy(env) {
    return portOpen(Number(new URL(env.PRA_TESTENV_OVH_ENDPOINT).port));
  },
};
