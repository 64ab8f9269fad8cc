import { realSleep } from '../hooks/drivers/common/retry';
import { Secret } from '../hooks/drivers/common/secret';
import { VsphereClient, type PowerStateChange } from '../hooks/drivers/vsphere';
import { currentEnv } from '../testenv/core';
import { provisionVms } from '../testenv/vcsim/provision';
import { elapsedMs, percentile } from './latency';

/**
 * Per-operation latencies of the vSphere driver against the testenv vCenter simulator (RBX).
 * Bounded: ROUNDS rounds on VMS_PER_RUN fresh VMs, one poll-watch latency sample per round.
 * Usage: testenv up, then `node dist/bench/vsphere.js [ROUNDS] [VMS]` (defaults 20, 200).
 */
const rounds = Number(process.argv[2] ?? 20);
const vmCount = Number(process.argv[3] ?? 200);

function stats(name: string, samples: number[]): void {
  const at = (q: number) => percentile(samples, q).toFixed(1);
  console.log(`${name.padEnd(40)} n=${String(samples.length).padStart(3)}  median ${at(0.5).padStart(7)} ms  p95 ${at(0.95).padStart(7)} ms  max ${at(1).padStart(7)} ms`);
}

async function timed<T>(samples: number[], fn: () => Promise<T>): Promise<T> {
  const started = process.hrtime.bigint();
  const value = await fn();
  samples.push(elapsedMs(started));
  return value;
}

async function main(): Promise<void> {
  const env = currentEnv();
  if (!env?.PRA_TESTENV_VCENTER_RBX_URL) throw new Error('testenv is not up (service vcenter): run testenv/testenv up first');
  const config = {
    url: env.PRA_TESTENV_VCENTER_RBX_URL,
    datacenter: env.PRA_TESTENV_VCENTER_RBX_DATACENTER,
    username: env.PRA_TESTENV_VCENTER_USER,
    password: new Secret(env.PRA_TESTENV_VCENTER_PASSWORD),
    caFile: env.PRA_TESTENV_CA,
  };
  const tag = Date.now().toString(36);
  const names = Array.from({ length: vmCount }, (_, i) => `BENCH-${tag}-${i}`);
  const provisioning: number[] = [];
  await timed(provisioning, () => provisionVms(env, 'rbx', names.map((name) => ({ name, power: 'poweredOff' }))));
  stats(`provision ${vmCount} VMs (one call)`, provisioning);

  const s = { login: [] as number[], find: [] as number[], state: [] as number[], on: [] as number[], suspend: [] as number[], noop: [] as number[], write: [] as number[], read: [] as number[], many: [] as number[], watch: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    const vm = names[round % names.length];
    const client = new VsphereClient(config);
    await timed(s.login, () => client.login());
    await timed(s.find, () => client.findVm(vm));
    await timed(s.state, () => client.powerState(vm));
    await timed(s.on, () => client.ensureRunning(vm));
    await timed(s.noop, () => client.ensureRunning(vm));
    await timed(s.suspend, () => client.ensureSuspended(vm));
    await timed(s.write, () => client.writeExtraConfig(vm, { 'guestinfo.pra.epoch': String(round) }));
    await timed(s.read, () => client.readExtraConfig(vm));
    await timed(s.many, () => client.powerStates(names));
    s.watch.push(await watchLatency(client, new VsphereClient(config), names[(round + rounds) % names.length]));
    await client.close();
  }
  stats('login (service content + Login)', s.login);
  stats('find VM by name (uncached)', s.find);
  stats('power state (1 VM)', s.state);
  stats('ensureRunning (power on + task)', s.on);
  stats('ensureRunning when already on', s.noop);
  stats('ensureSuspended (suspend + task)', s.suspend);
  stats('writeExtraConfig (reconfig + task)', s.write);
  stats('readExtraConfig', s.read);
  stats(`power states of ${vmCount} VMs`, s.many);
  stats('watcher: power-on seen (250 ms poll)', s.watch);
}

/** Time from another client's completed power-on to the watcher's callback. */
async function watchLatency(watcher: VsphereClient, actor: VsphereClient, vm: string): Promise<number> {
  const stop = new AbortController();
  let poweredAt = 0n;
  let first: () => void = () => undefined;
  let seen: (ms: number) => void = () => undefined;
  const ready = new Promise<void>((r) => (first = r));
  const latency = new Promise<number>((r) => (seen = r));
  const onChange = (c: PowerStateChange) => {
    if (c.previous === undefined) first();
    else if (c.state === 'poweredOn' && poweredAt) seen(elapsedMs(poweredAt));
  };
  const watching = watcher.watchPowerStates([vm], onChange, { signal: stop.signal });
  await ready;
  await actor.ensureOff(vm);
  // At a random phase of the poll: right after a poll would always measure the worst case.
  await realSleep(Math.random() * 250);
  await actor.ensureRunning(vm);
  poweredAt = process.hrtime.bigint();
  const ms = await latency;
  stop.abort();
  await watching;
  await actor.close();
  return ms;
}

main().catch((error: Error) => {
  console.error(`bench vsphere: ${error.message}`);
  process.exit(1);
});
