import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { prepareDrillWorld, type DrillWorld, type DrillWorldOptions } from '../../testenv/drill/world';
import { autoApprover } from '../../hooks/engine/approvers';
import { readJournal, listRuns } from '../../hooks/engine/journal';
import { replay, type RunView } from '../../hooks/engine/execution';
import { REPO_ROOT } from '../../testenv/core';
import type { TopologyInput } from '../../topology';

const PRA = join(REPO_ROOT, 'bin', 'pra');

export interface PraResult {
  readonly code: number | null;
  readonly signal: string | null;
  readonly output: string;
}

/**
 * Starts the compiled `pra` as the operator would, in `cwd` (@default the drill's project directory);
 * `exited` resolves with its exit code and output.
 */
export function praProcess(world: DrillWorld, args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd = world.dir): { child: ChildProcess; exited: Promise<PraResult> } {
  const child = spawn(process.execPath, [PRA, ...args], {
    cwd,
    env: { ...process.env, PRA_OPERATOR: 'drill-test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<PraResult>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, output }));
  });
  return { child, exited };
}

/** Runs the compiled `pra` to its end (see praProcess). */
export function praChild(world: DrillWorld, args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd = world.dir): Promise<PraResult> {
  return praProcess(world, args, env, cwd).exited;
}

/** The run flags every child run of a drill world takes. */
export function runFlags(world: DrillWorld): string[] {
  return ['--auto-approve', '--topology', world.topologyFile, '--state', world.stateFile, '--journal-dir', world.journalDir];
}

/** The options of an in-process engine run on a drill world: its journal, approved automatically. */
export function engineOptions(world: DrillWorld) {
  return { journalDir: world.journalDir, operator: 'drill-test', approver: autoApprover('drill-test'), approvalPollMs: 20 };
}

/** The failback SBG -> RBX of a drill world's topology and state, without --force. */
export function failbackSpec(world: DrillWorld) {
  return { kind: 'failback' as const, from: 'sbg', to: 'rbx', force: false, topologyFile: world.topologyFile, stateFile: world.stateFile };
}

/** A run's end state, with the failed step (or failed undo) and its error when it did not complete: a red test says why. */
export function outcome(view: RunView): { state: string; failed?: string } {
  const failed = view.steps.find((s) => s.status === 'failed' || s.status === 'undoFailed');
  return failed ? { state: view.state, failed: `${failed.id}: ${failed.error}` } : { state: view.state };
}

export function onlyRun(world: DrillWorld): RunView {
  const runs = listRuns(world.journalDir);
  if (runs.length !== 1) throw new Error(`expected one run, found ${runs.length}`);
  return replay(readJournal(world.journalDir, runs[0]));
}

/** How many successful POSTs the Zerto simulator served for an action (Failover, FailoverCommit, ...). */
export async function zertoActions(world: DrillWorld, action: string): Promise<number> {
  const state = await world.zerto.control<{ requests: { method: string; path: string; status: number }[] }>('GET', '/state');
  return state.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/${action}`) && r.status < 300).length;
}

/** The facts a finished failback must show, read from the real systems. */
export async function worldFacts(world: DrillWorld) {
  const { systems, topology } = world;
  const power = (site: string) => world.vmStates(site);
  const ip = (site: string) => topology.sites.find((s) => s.name === site)!.publicIp;
  const record = topology.traffic.dns!.record;
  return {
    authority: (await systems.authority.read())?.active,
    rbx: await power('rbx'),
    sbg: await power('sbg'),
    dnsOn: (await systems.dns!.verify({ name: record, addresses: [ip('rbx')] })).ok ? 'rbx' : (await systems.dns!.verify({ name: record, addresses: [ip('sbg')] })).ok ? 'sbg' : 'neither',
    lbOn: (await systems.lb!.verify('rbx')).ok ? 'rbx' : (await systems.lb!.verify('sbg')).ok ? 'sbg' : 'neither',
    activeSiteInState: systems.state.read().active_site,
  };
}

/**
 * A drill world for the enclosing describe block (or file): prepared before its tests, finished after them,
 * also when a test failed (guests and power followers stopped, the example VMs restored). A test that needs
 * the measure calls `finish()` itself.
 */
export function drillWorldPerSuite(options: DrillWorldOptions = { guard: true }) {
  let finished: ReturnType<DrillWorld['finish']> | undefined;
  const suite = {
    world: undefined as unknown as DrillWorld,
    finish: () => (finished ??= suite.world.finish()),
  };
  beforeAll(async () => {
    suite.world = await prepareDrillWorld(options);
  }, 120_000);
  afterAll(() => suite.finish());
  return suite;
}

/**
 * A drill topology on the etcd authority (record, run lock and journal in etcd, next to the guard's key),
 * with the guard and the authority on `endpoints` (@default the guard's etcd).
 */
export function onEtcdAuthority(t: TopologyInput, runLockTtlSeconds: number, endpoints?: readonly string[]): TopologyInput {
  const guardEtcd = { ...t.guard!.etcd!, ...(endpoints ? { endpoints: [...endpoints] } : {}) };
  return {
    ...t,
    guard: { ...t.guard!, etcd: guardEtcd },
    authority: { backend: 'etcd', endpoints: guardEtcd.endpoints, key: guardEtcd.key!.replace(/active-site$/, 'authority'), runLockTtlSeconds },
  };
}
