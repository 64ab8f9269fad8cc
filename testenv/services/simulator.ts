import { join } from 'node:path';
import { REPO_ROOT, type Env, type ServiceContext } from '../core';

/**
 * Starts one of our simulators (`dist/testenv/sims/<sim>/main.js`, compiled by the test command's tsc) as a
 * daemon over HTTPS with the testenv certificate, and waits for its port. Its configuration (credentials
 * included) goes through the environment, never the command line; it also sees every earlier service's env.
 */
export async function startSimulator(ctx: ServiceContext, sim: string, config: Env): Promise<number> {
  const port = await ctx.freePort();
  ctx.daemon(`${sim}-sim`, process.execPath, [join(REPO_ROOT, 'dist/testenv/sims', sim, 'main.js')], {
    env: {
      ...process.env,
      ...ctx.env,
      ...config,
      PRA_SIM_PORT: String(port),
      PRA_SIM_TLS_CERT: ctx.env.PRA_TESTENV_TLS_CERT,
      PRA_SIM_TLS_KEY: ctx.env.PRA_TESTENV_TLS_KEY,
    },
  });
  await ctx.waitForPort(port, `${sim}-sim`);
  return port;
}
