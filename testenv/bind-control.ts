import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { gateFile, TRANSFERS_ALLOWED, TRANSFERS_HELD } from './services/bind';

/**
 * Makes the testenv's secondary nameserver lag behind the primary for one zone, and catch up again.
 * Holding: the primary stops allowing transfers (the secondary's IXFR after a NOTIFY is refused, so it keeps
 * answering the old data). Releasing: transfers allowed again, then a NOTIFY so the secondary catches up now.
 */
function rndc(env: NodeJS.ProcessEnv, ...args: string[]): void {
  execFileSync('rndc', ['-c', required(env, 'PRA_TESTENV_BIND_RNDC_CONF'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set: start the testenv (testenv up bind)`);
  return value;
}

export function holdSecondaryTransfers(zone: string, env: NodeJS.ProcessEnv = process.env): void {
  writeFileSync(gateFile(required(env, 'PRA_TESTENV_BIND_DIR'), zone), TRANSFERS_HELD);
  rndc(env, 'reconfig');
}

export function releaseSecondaryTransfers(zone: string, env: NodeJS.ProcessEnv = process.env): void {
  writeFileSync(gateFile(required(env, 'PRA_TESTENV_BIND_DIR'), zone), TRANSFERS_ALLOWED);
  rndc(env, 'reconfig');
  rndc(env, 'notify', zone);
}
