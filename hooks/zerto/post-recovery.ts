import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, loadTopology, type Topology } from '../../topology';
import { vsphereConfigForSite, VsphereClient } from '../drivers/vsphere';
import { describeError } from '../drivers/common/errors';
import { ExitCode } from '../cli/command';
import { zertoSiteName } from '../drivers/zerto/config';
import { zertoDriverForSite } from '../drivers/zerto/from-topology';
import { PauseWatcher, type BootWindow } from '../steps/pause-watcher';

/**
 * The Zerto post-recovery script entry (hooks/zerto-post-recovery), for installations where VPG scripts are
 * allowed (they are locked on OVHcloud: there the engine's pause watcher does the same, H7). Zerto runs it on
 * the recovery site's ZVM after it powered the recovered VMs on and before commit; it suspends each of them
 * the way the engine's pause watcher does and logs each boot window (power-on seen -> suspended).
 *
 * Input (environment, as Zerto sets it): ZertoOperation, ZertoVPGName, VmDisplayNames (ZVMA: comma-separated;
 * protected or recovered names), ZertoOutputDir (optional); the topology from PRA_TOPOLOGY or the first
 * argument; the vCenter and ZVM passwords as the topology names them (env or file). The side to suspend is the
 * VPG's live recovery site, read from a ZVM.
 *
 * Exit codes: 0 every recovered VM is suspended, or the operation needs nothing (Test, rollbacks);
 * 2 bad input (unknown operation, VPG or VM not in the topology, no topology); 3 a ZVM or vCenter failed, or a VM was
 * not suspended within the timeout (Zerto shows the script as failed: suspend by hand or with pra).
 */
/** Operations after which the recovered VMs run production's crons: they must be suspended. */
const RECOVERIES = new Set(['Move', 'MoveBeforeCommit', 'Failover', 'FailoverBeforeCommit']);
/**
 * Left alone on purpose. Test: a failover test runs in an isolated network and is meant to boot and be
 * checked; its VMs never hold the cron token (the guard denies them), and suspending them would spoil the test.
 * MoveRollback/FailoverRollback: Zerto is powering off and removing the recovered VMs; touching them races it.
 */
const LEFT_ALONE = new Set(['Test', 'MoveRollback', 'FailoverRollback']);

const SUSPEND_TIMEOUT_MS = 300_000;

interface PostRecoveryIo {
  readonly env: NodeJS.ProcessEnv;
  readonly argv: readonly string[];
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

function vpgOf(topology: Topology, vpgName: string): Topology['vpgs'][number] {
  const vpg = topology.vpgs.find((g) => g.name === vpgName);
  if (!vpg) throw new InputError('ZertoVPGName', [`ZertoVPGName=${vpgName}: no such VPG in topology ${topology.name} (${topology.vpgs.map((g) => g.name).join(', ')})`]);
  return vpg;
}

/**
 * The site the VPG recovers into NOW, as a ZVM reports it: reverse protection flips a VPG's direction and keeps
 * its name, so the topology's declared target may be the side that must keep running. Paired ZVMs both list
 * every VPG: the declared target's is asked first, then the source's.
 */
async function liveRecoverySite(topology: Topology, vpgName: string, env: NodeJS.ProcessEnv): Promise<string> {
  const vpg = vpgOf(topology, vpgName);
  let failure: unknown;
  for (const name of [vpg.target, vpg.source]) {
    const zerto = zertoDriverForSite(topology.sites.find((s) => s.name === name)!, env);
    try {
      const live = await zerto.getVpg(vpgName);
      const site = topology.sites.find((s) => zertoSiteName(s).toLowerCase() === live.targetSite?.toLowerCase());
      if (!site) throw new InputError('topology', [`VPG ${vpgName} recovers into Zerto site ${live.targetSite ?? '(none)'}, which no topology site is named (zerto.siteName)`]);
      return site.name;
    } catch (e) {
      if (e instanceof InputError) throw e;
      failure = e;
    } finally {
      await zerto.client.close().catch(() => undefined);
    }
  }
  throw failure;
}

/** The recovered VMs' names at `site` (a VM of the other side maps to its peer there). */
function targetsOf(topology: Topology, vpgName: string, site: string, displayNames: string | undefined): string[] {
  const vpg = vpgOf(topology, vpgName);
  const peerOf = (name: string) => topology.vms.find((v) => v.name === name)?.peer;
  const siteOf = (name: string) => topology.vms.find((v) => v.name === name)?.site;
  const onSite = (name: string) => (siteOf(name) === site ? name : peerOf(name));
  const all = vpg.vms.map(onSite).filter((p): p is string => p !== undefined && siteOf(p) === site);
  if (!displayNames?.trim()) return all;
  const vms = displayNames.split(',').map((name) => name.trim()).filter(Boolean).map((name) => {
    const target = onSite(name);
    if (target !== undefined && all.includes(target)) return target;
    throw new InputError('VmDisplayNames', [`VmDisplayNames: ${name} is neither a VM of ${vpgName} nor its recovered peer on ${site}`]);
  });
  return [...new Set(vms)];
}

async function postRecovery(io: PostRecoveryIo): Promise<number> {
  const emit = (line: Record<string, unknown>) => {
    const text = `${JSON.stringify({ at: new Date().toISOString(), ...line })}\n`;
    io.stdout.write(text);
    if (io.env.ZertoOutputDir) appendFileSync(join(io.env.ZertoOutputDir, 'pra-post-recovery.jsonl'), text);
  };
  const operation = io.env.ZertoOperation ?? '';
  const vpgName = io.env.ZertoVPGName ?? '';
  try {
    if (LEFT_ALONE.has(operation)) {
      emit({ event: 'skipped', operation, vpg: vpgName, reason: operation === 'Test' ? 'failover test: isolated, left running' : 'rollback: Zerto removes the recovered VMs' });
      return ExitCode.ok;
    }
    if (!RECOVERIES.has(operation)) throw new InputError('ZertoOperation', [`ZertoOperation=${JSON.stringify(operation)}: expected one of ${[...RECOVERIES, ...LEFT_ALONE].join(', ')}`]);
    const topologyFile = io.argv[0] ?? io.env.PRA_TOPOLOGY;
    if (!topologyFile) throw new InputError('PRA_TOPOLOGY', ['no topology: set PRA_TOPOLOGY or pass the topology file as the first argument']);
    const topology = loadTopology(topologyFile);
    vpgOf(topology, vpgName);
    const site = await liveRecoverySite(topology, vpgName, io.env);
    const vms = targetsOf(topology, vpgName, site, io.env.VmDisplayNames);
    return await suspendAll(topology, site, vms, io.env, (w) => emit({ event: 'bootWindow', operation, vpg: vpgName, site, ...w }), (line) => emit({ operation, vpg: vpgName, site, ...line }));
  } catch (error) {
    if (error instanceof InputError) {
      io.stderr.write(`${error.lines.join('\n')}\n`);
      return ExitCode.usage;
    }
    io.stderr.write(`pra zerto-post-recovery: ${describeError(error)}\n`);
    return ExitCode.externalFailure;
  }
}

async function suspendAll(topology: Topology, site: string, vms: readonly string[], env: NodeJS.ProcessEnv, onWindow: (w: BootWindow) => void, emit: (line: Record<string, unknown>) => void): Promise<number> {
  const vcenter = new VsphereClient(vsphereConfigForSite(topology.sites.find((s) => s.name === site)!, env));
  const watcher = new PauseWatcher(vcenter, vms, onWindow);
  const deadline = AbortSignal.timeout(SUSPEND_TIMEOUT_MS);
  try {
    const known = await vcenter.powerStates(vms);
    const missing = vms.filter((vm) => !known.has(vm));
    if (missing.length) throw new Error(`vcenter ${site}: no VM named ${missing.join(', ')}`);
    watcher.start();
    await watcher.allSuspended(deadline);
    emit({ event: 'done', suspended: vms });
    return ExitCode.ok;
  } finally {
    await watcher.stop();
    await vcenter.close();
  }
}

/** Entry point of hooks/zerto-post-recovery. */
export function main(): void {
  postRecovery({ env: process.env, argv: process.argv.slice(2), stdout: process.stdout, stderr: process.stderr }).then((code) => {
    process.exitCode = code;
  });
}

if (require.main === module) main();
