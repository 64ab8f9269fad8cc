import { join } from 'node:path';
import { REPO_ROOT, type Env, type ServiceContext } from '../core';

/** What `BindPublisher` (sims/common.ts) reads to publish a simulator's zone changes into the testenv BIND. */
export const BIND_PUBLISHER_ENV = /^PRA_TESTENV_(DNS_PRIMARY|TSIG_NAME|TSIG_SECRET)$/;

export interface SimulatorOptions {
  /** The earlier services' env entries the simulator may read (their names match); no other one reaches it. */
  readonly passEnv?: RegExp;
  /** Arguments after the script, given the port it is told to listen on (also in PRA_SIM_PORT). */
  readonly args?: (port: number) => readonly string[];
}

/**
 * Starts one of our simulators (`dist/testenv/sims/<sim>/main.js`, compiled by the test command's tsc) as a
 * daemon over HTTPS with the testenv certificate, and waits for its port. Its configuration (credentials
 * included) goes through the environment, never the command line; of the earlier services' env it sees
 * only the entries `passEnv` names, so one simulator never holds another service's secrets.
 */
export async function startSimulator(ctx: ServiceContext, sim: string, config: Env, options: SimulatorOptions = {}): Promise<number> {
  const port = await ctx.freePort();
  const passed = Object.entries(ctx.env).filter(([name]) => options.passEnv?.test(name));
  ctx.daemon(`${sim}-sim`, process.execPath, [join(REPO_ROOT, 'dist/testenv/sims', sim, 'main.js'), ...(options.args?.(port) ?? [])], {
    env: {
      ...process.env,
      ...Object.fromEntries(passed),
      ...config,
      PRA_SIM_PORT: String(port),
      PRA_SIM_TLS_CERT: ctx.env.PRA_TESTENV_TLS_CERT,
      PRA_SIM_TLS_KEY: ctx.env.PRA_TESTENV_TLS_KEY,
    },
  });
  await ctx.waitForPort(port, `${sim}-sim`);
  return port;
}
