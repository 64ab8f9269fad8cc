import { randomBytes } from 'node:crypto';
import { portOpen, type Service } from '../core';
import { DRILL_ZONE, LAG_ZONE, SBG_PUBLIC_IP, TEST_ZONE } from './bind';
import { BIND_PUBLISHER_ENV, startSimulator } from './simulator';

const ROUTE53_ZONE_IDS = { [TEST_ZONE]: 'Z0PRATESTZONE1', [LAG_ZONE]: 'Z0PRATESTZONE2', [DRILL_ZONE]: 'Z0PRADRILLZONE' };

/**
 * The Route 53 REST-XML fake, over HTTPS with the testenv certificate, publishing INSYNC changes into the
 * testenv BIND. Needs `tls` and `bind` started before it. Credentials are made up per start.
 */
export const route53Service: Service = {
  name: 'route53',
  debianPackages: [],
  async start(ctx) {
    const creds = {
      PRA_TESTENV_R53_ACCESS_KEY_ID: `AKIAPRA${randomBytes(6).toString('hex').toUpperCase()}`,
      PRA_TESTENV_R53_SECRET_ACCESS_KEY: randomBytes(20).toString('base64'),
    };
    const port = await startSimulator(ctx, 'route53', {
      PRA_SIM_R53_ACCESS_KEY_ID: creds.PRA_TESTENV_R53_ACCESS_KEY_ID,
      PRA_SIM_R53_SECRET_ACCESS_KEY: creds.PRA_TESTENV_R53_SECRET_ACCESS_KEY,
      PRA_SIM_R53_ZONES: JSON.stringify(Object.fromEntries(Object.entries(ROUTE53_ZONE_IDS).map(([zone, id]) => [id, zone]))),
      PRA_SIM_R53_INITIAL_TARGET: SBG_PUBLIC_IP,
    }, { passEnv: BIND_PUBLISHER_ENV });
    return {
      ...creds,
      PRA_TESTENV_R53_ENDPOINT: `https://127.0.0.1:${port}`,
      PRA_TESTENV_R53_CONTROL: `https://127.0.0.1:${port}/__control`,
      PRA_TESTENV_R53_ZONE_ID: ROUTE53_ZONE_IDS[TEST_ZONE],
      PRA_TESTENV_R53_LAG_ZONE_ID: ROUTE53_ZONE_IDS[LAG_ZONE],
      PRA_TESTENV_R53_DRILL_ZONE_ID: ROUTE53_ZONE_IDS[DRILL_ZONE],
    };
  },
  async healthy(env) {
    return portOpen(Number(new URL(env.PRA_TESTENV_R53_ENDPOINT).port));
  },
};
