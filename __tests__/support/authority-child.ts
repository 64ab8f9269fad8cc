import { EtcdAuthority } from '../../hooks/drivers/authority/etcd';
import { FileAuthority } from '../../hooks/drivers/authority/file';
import type { Authority } from '../../hooks/drivers/authority/index';

/**
 * A separate process holding an authority, for tests that need real concurrency or a holder that dies:
 *   cas BACKEND LOCATION EXPECTED SITE   waits for "go" on stdin, compare-and-sets, prints the outcome
 *   run-lock BACKEND LOCATION            takes the run lock, prints "held", then waits to be killed
 * BACKEND is `file` (LOCATION: the record path) or `etcd` (LOCATION: ENDPOINT,KEY).
 */
function open(backend: string, location: string): Authority {
  if (backend === 'file') return new FileAuthority({ path: location });
  const [endpoint, key] = location.split(',');
  return new EtcdAuthority({ endpoints: [endpoint], key, runLockTtlSeconds: 2 });
}

async function main([verb, backend, location, expected, site]: string[]): Promise<void> {
  const authority = open(backend, location);
  if (verb === 'cas') {
    await new Promise((resolve) => process.stdin.once('data', resolve));
    const next = { active: site, epoch: Number(expected) + 1, by: `child ${process.pid}`, at: new Date().toISOString(), reason: 'concurrency test' };
    try {
      await authority.compareAndSet(Number(expected), next);
      process.stdout.write(JSON.stringify({ site, won: true }) + '\n');
    } catch (error) {
      process.stdout.write(JSON.stringify({ site, won: false, error: (error as Error).name, message: (error as Error).message }) + '\n');
    }
    await authority.close();
    process.exit(0);
  }
  await authority.acquireRunLock({ holder: `child ${process.pid}`, reason: 'dies holding the lock' });
  process.stdout.write('held\n');
  setInterval(() => undefined, 60000);
}

main(process.argv.slice(2)).catch((error: Error) => {
  process.stderr.write(`${error.name}: ${error.message}\n`);
  process.exit(3);
});
