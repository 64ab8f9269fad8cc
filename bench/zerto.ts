import { Secret } from '../hooks/drivers/common/secret';
import { ZertoClient } from '../hooks/drivers/zerto/client';
import type { ZertoEndpoint } from '../hooks/drivers/zerto/config';
import { ZertoDriver } from '../hooks/drivers/zerto/driver';
import { VpgReconciler } from '../hooks/drivers/zerto/reconcile';
import { loadTopology, vpgSpecs } from '../topology';
import { currentEnv, EXAMPLE_TOPOLOGY } from '../testenv/core';
import { createInstance } from '../testenv/sims/zerto/control-client';
import { measureLatency, roundsFromArgv } from './latency';

/**
 * Per-operation latencies of the Zerto driver against the simulator (`testenv/testenv up zerto` first),
 * with the simulator's recovery delays set to 0 so the figures are the API round trips themselves.
 * Bounded: ROUNDS sequential runs of each operation on an isolated simulator instance.
 * Usage: node dist/bench/zerto.js [ROUNDS]   (default 20)
 */
const rounds = roundsFromArgv();
const FAILBACK = 'VPG-SBG-TO-RBX';

const measure = (name: string, op: (i: number) => Promise<unknown>) => measureLatency(name, rounds, op, 52);

async function main(): Promise<void> {
  const env = currentEnv();
  if (!env?.PRA_TESTENV_ZERTO_CONTROL_URL) throw new Error('testenv zerto is not up; run testenv/testenv up zerto');
  const instance = await createInstance(env.PRA_TESTENV_ZERTO_CONTROL_URL);
  await instance.control('PUT', '/delays', { syncMs: 0, commitMs: 0, reverseProtectionMs: 0 });
  const endpoint = (auth: ZertoEndpoint['auth']): ZertoEndpoint => ({
    url: instance.urls.rbx, auth, username: env.PRA_TESTENV_ZERTO_USERNAME, password: new Secret(env.PRA_TESTENV_ZERTO_PASSWORD), caFile: env.PRA_TESTENV_CA,
  });
  const poll = { timeoutMs: 10_000, intervalMs: 5 };
  process.stdout.write(`bench: ${rounds} sequential rounds per operation, Zerto simulator on loopback (HTTPS), recovery delays 0\n`);
  try {
    for (const auth of ['keycloak', 'session'] as const) {
      await measure(`login (${auth}) + first call, new client`, async () => {
        const client = new ZertoClient('rbx', endpoint(auth));
        await client.get('/v1/localsite');
        await client.close();
      });
    }
    const zerto = new ZertoDriver(new ZertoClient('rbx', endpoint('keycloak')));
    await measure('list VPGs (status names cached)', () => zerto.listVpgs());
    await measure('get VPG by name', () => zerto.getVpg(FAILBACK));
    await measure('actual RPO', () => zerto.actualRpoSeconds(FAILBACK));
    await measure('VMs of a VPG', () => zerto.vms(FAILBACK));
    await measure('alerts of a VPG', () => zerto.alerts(FAILBACK));
    await measure('tag a checkpoint (read, tag, read back)', (i) => zerto.tagCheckpoint(FAILBACK, `bench-${i}`));
    await measure('Move -> MovingBeforeCommit (sync delay 0)', async () => {
      await zerto.waitForBeforeCommit(FAILBACK, await zerto.move(FAILBACK), poll);
      await zerto.waitForTask(await zerto.rollback(FAILBACK), poll);
    });
    await measure('Move + commit with reverse protection -> MeetingSLA', async () => {
      await zerto.waitForBeforeCommit(FAILBACK, await zerto.move(FAILBACK), poll);
      await zerto.waitForTask(await zerto.commit(FAILBACK), poll);
      await zerto.waitForVpg(FAILBACK, 'MeetingSLA', (v) => v.statusName === 'MeetingSLA', poll);
    });
    const reconciler = new VpgReconciler(zerto);
    const specs = vpgSpecs(loadTopology(EXAMPLE_TOPOLOGY));
    await measure('vpg sync plan of 2 VPGs (nothing to change)', () => Promise.all(specs.map((s) => reconciler.plan(s))));
    await zerto.client.close();
  } finally {
    await instance.remove();
  }
}

main().catch((e: Error) => {
  process.stderr.write(`bench zerto: ${e.message}\n`);
  process.exit(1);
});
