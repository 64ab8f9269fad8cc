import { down } from '../../testenv/core';

/** Stops the environment only if this run started it: a developer's running one is left alone. */
export default async function globalTeardown(): Promise<void> {
  if (process.env.PRA_TESTENV_STARTED_BY_JEST === '1' && process.env.PRA_TESTENV_KEEP !== '1') down();
}
