import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { JournalEntry } from '../../hooks/engine/events';
import { operate } from '../../hooks/engine/operation';
import { freePort, portOpen, type Env } from '../../testenv/core';
import type { TopologyInput } from '../../topology';
import { tempDirs } from '../helpers/tmp';
import { drillWorldPerSuite, engineOptions, failbackSpec } from '../support/drill';
import type { DrillWorld } from '../../testenv/drill/world';
import { eventually } from '../support/eventually';
import { exclusive } from '../support/exclusive';

/** Injects synchronously (the runner's event hook is synchronous: the fault is in place before the step acts). */
function curl(method: string, url: string, body?: unknown): void {
  execFileSync('curl', ['-sf', '-X', method, url, '-H', 'content-type: application/json', ...(body === undefined ? [] : ['-d', JSON.stringify(body)])], { stdio: 'ignore' });
}

/** A private etcd for the guard source and publisher, so "etcd down" hurts no other test. */
class PrivateEtcd {
  private child?: ChildProcess;
  constructor(
    readonly clientPort: number,
    private readonly peerPort: number,
    private readonly dir: string,
  ) {}
  get endpoint(): string {
    return `http://127.0.0.1:${this.clientPort}`;
  }
  async start(): Promise<void> {
    const peer = `http://127.0.0.1:${this.peerPort}`;
    this.child = spawn('etcd', ['--name', 'fault', '--data-dir', join(this.dir, 'data'), '--listen-client-urls', this.endpoint, '--advertise-client-urls', this.endpoint, '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `fault=${peer}`, '--log-level', 'error'], { stdio: 'ignore' });
    await eventually(`the private etcd listens on ${this.clientPort}`, () => portOpen(this.clientPort), { timeoutMs: 30_000, intervalMs: 25 });
  }
  killNow(): void {
    this.child?.kill('SIGKILL');
  }
}

interface FaultCase {
  readonly name: string;
  /** The step whose start injects the fault. */
  readonly at: string;
  readonly customize?: (t: TopologyInput, env: Env) => TopologyInput;
  /** A shared server the fault is injected into, held while the case runs (`exclusive`). */
  readonly holds?: string;
  /** `zerto`: the control URL of the drill's own Zerto simulator instance. */
  inject(env: Env, zerto: string): void;
  clear(env: Env, zerto: string): Promise<void> | void;
  /** What the pause message must say. */
  readonly message: RegExp;
}

const dirs = tempDirs();
let etcd: PrivateEtcd;
beforeAll(async () => {
  etcd = new PrivateEtcd(await freePort(), await freePort(), dirs.make('pra-etcd-'));
  await etcd.start();
});
afterAll(() => {
  etcd.killNow();
  dirs.removeAll();
});

const cases: FaultCase[] = [
  {
    name: 'Zerto answering 503',
    at: 'restore.checkpoint',
    inject: (_env, zerto) => curl('POST', `${zerto}/faults`, { path: '^/v1/vpgs', kind: 'status', status: 503, count: 100000 }),
    clear: (_env, zerto) => curl('DELETE', `${zerto}/faults`),
    message: /zerto.*503/,
  },
  {
    name: 'vCenter RBX timing out',
    at: 'activation.resume',
    customize: (t, env) => ({ ...t, sites: t.sites.map((s) => (s.name === 'rbx' ? { ...s, vcenter: { ...s.vcenter, url: env.PRA_TESTENV_VCENTER_PROXY_URL, requestTimeoutSeconds: 1 } } : s)) }),
    holds: 'vcenter-proxy',
    inject: (env) => curl('POST', `${env.PRA_TESTENV_VCENTER_PROXY_CONTROL_URL}/faults`, { delay: { count: 100000, ms: 2500 } }),
    clear: (env) => curl('POST', `${env.PRA_TESTENV_VCENTER_PROXY_CONTROL_URL}/reset`),
    message: /vcenter rbx.*(timed out|did not finish)/,
  },
  {
    name: 'DNS refusing updates',
    at: 'switch.traffic',
    // A zone of its own: freezing it refuses no update of the drills running beside this one.
    customize: (t, env) => ({ ...t, traffic: { ...t.traffic, dns: { ...t.traffic!.dns!, zone: env.PRA_TESTENV_DNS_DRILL_FAULT_ZONE } } }),
    inject: (env) => void execFileSync('rndc', ['-c', env.PRA_TESTENV_BIND_RNDC_CONF, 'freeze', env.PRA_TESTENV_DNS_DRILL_FAULT_ZONE], { stdio: 'ignore' }),
    clear: (env) => void execFileSync('rndc', ['-c', env.PRA_TESTENV_BIND_RNDC_CONF, 'thaw', env.PRA_TESTENV_DNS_DRILL_FAULT_ZONE], { stdio: 'ignore' }),
    message: /dns rfc2136.*REFUSED/i,
  },
  {
    name: 'etcd down',
    at: 'handover.fence',
    customize: (t) => ({ ...t, guard: { ...t.guard!, etcd: { ...t.guard!.etcd!, endpoints: [etcd.endpoint] } } }),
    inject: () => etcd.killNow(),
    clear: () => etcd.start(),
    message: /etcd/,
  },
];

const zertoOf = (world: DrillWorld) => `${world.env.PRA_TESTENV_ZERTO_CONTROL_URL}/instances/${world.zerto.id}`;

describe.each(cases)('a fault: $name', (fault) => {
  if (fault.holds) exclusive(fault.holds);
  const suite = drillWorldPerSuite({ guard: true, customize: fault.customize });

  it(`pauses at ${fault.at} with a clear message, then completes when resumed after the fault clears, with zero overlap`, async () => {
    const { world } = suite;
    const spec = failbackSpec(world);
    const options = engineOptions(world);
    let injected = false;
    const onEvent = (e: JournalEntry) => {
      if (!injected && e.type === 'step.started' && e.step === fault.at) {
        injected = true;
        fault.inject(world.env, zertoOf(world));
      }
    };
    // Two attempts per step while the fault lasts (more would only make the test slower); the resume keeps the
    // plan's own policies, as an operator's would, to ride out what follows a fault (a secondary catching up, a
    // client reconnecting).
    const paused = await operate('start', world.systems, spec, { ...options, onEvent, retryOverride: { attempts: 2, baseDelayMs: 100, maxDelayMs: 500 } });
    expect(paused.state).toBe('pausedByFailedStep'); // a fault that missed: the run completed
    expect(paused.steps.find((s) => s.status === 'failed')?.id).toBe(fault.at);
    expect(paused.pauseMessage).toMatch(fault.message);
    await fault.clear(world.env, zertoOf(world));
    const resumed = await operate('resume', world.systems, spec, { ...options, runId: paused.id });
    expect(resumed.state).toBe('completed');
    const { overlap } = await suite.finish();
    expect(overlap.windowMs).toBe(0);
  }, 300_000);
});
