import { currentEnv, up } from '../../testenv/core';
import { allServices } from '../../testenv/services';

/**
 * Starts the local environment once for the whole suite (reusing a running one) and hands its
 * endpoints to the tests through process.env. A server that cannot start fails the run: never a skip.
 */
export default async function globalSetup(): Promise<void> {
  const wasUp = currentEnv() !== undefined;
  const env = await up(allServices, (line) => process.stderr.write(`testenv: ${line}\n`));
  Object.assign(process.env, env);
  process.env.PRA_TESTENV_STARTED_BY_JEST = wasUp ? '0' : '1';
}
