import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, loadTopology, type Topology } from '../../topology';
import { vsphereConfigForSite, VsphereClient } from '../drivers/vsphere';
import { describeError } from '../drivers/common/errors';
import { ExitCode } from '../cli/command';
import { PauseWatcher, type BootWindow } from '../steps/pause-watcher';

/**
 * The Zerto post-recovery script entry (hooks/zerto-post-recovery), for installations where VPG scripts are
 * allowed (they are locked on OVHcloud: there the engine's pause watcher does the same, H7). Zerto runs it on
 * the recovery site's ZVM after it powered the recovered VMs on and before commit; it suspends each of them
 * the way the engine's pause watcher does and logs each boot window (power-on seen -> suspended).
 *
 * Input (environment, as Zerto sets it): ZertoOperation, ZertoVPGName, VmDisplayNames (ZVMA: comma-separated;
 * protected or recovered names), ZertoOutputDir (optional); the topology from PRA_TOPOLOGY or the first
 * argument; the vCenter password as the topology names it (env or file).
 *
 * Exit codes: 0 every recovered VM is suspended, or the operation needs nothing (Test, rollbacks);
 * 2 bad input (unknown operation, VPG or VM not in the topology, no topology); 3 vCenter failed, or a VM was
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

/** The VPG's recovery site and the recovered VMs' names there (a protected VM's name maps to its peer). */
function targetsOf(topology: Topology, vpgName: string, displayNames: string | undefined): { site: string; vms: string[] } {
  const vpg = topology.vpgs.find((g) => g.name === vpgName);
  if (!vpg) throw new InputError('ZertoVPGName', [`ZertoVPGName=${vpgName}: no such VPG in topology ${topology.name} (${topology.vpgs.map((g) => g.name).join(', ')})`]);
  const peerOf = (name: string) => topology.vms.find((v) => v.name === name)?.peer;
  const all = vpg.vms.map(peerOf).filter((p): p is string => p !== undefined);
  if (!displayNames?.trim()) return { site: vpg.target, vms: all };
  const vms = displayNames.split(',').map((name) => name.trim()).filter(Boolean).map((name) => {
    if (all.includes(name)) return name;
    const peer = vpg.vms.includes(name) ? peerOf(name) : undefined;
    if (peer) return peer;
    throw new InputError('VmDisplayNames', [`VmDisplayNames: ${name} is neither a VM of ${vpgName} nor its recovered peer on ${vpg.target}`]);
  });
  return { site: vpg.target, vms: [...new Set(vms)] };
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
    const { site, vms } = targetsOf(topology, vpgName, io.env.VmDisplayNames);
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
