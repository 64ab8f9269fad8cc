import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateTopology, loadTopology, saveState, type Topology, type TopologyInput } from '../../topology';
import { guardConfig } from '../../constructs/guard-userdata';
import { findOverlaps, type OverlapReport } from '../../hooks/audit/overlap';
import type { ActiveSiteRecord } from '../../hooks/drivers/authority/index';
import { formatActiveSite } from '../../hooks/drivers/authority/publishers/index';
import type { PlanSpec } from '../../hooks/engine/operation';
import { buildSystems } from '../../hooks/engine/systems';
import type { FailbackSystems } from '../../hooks/steps/systems';
import { vmsOf } from '../../hooks/steps/topology-views';
import { newRunId } from '../../hooks/engine/journal';
import { STATE_DIR, up, type Env } from '../core';
import { allServices } from '../services';
import { GuestFleet } from '../guests/fleet';
import { siteInventory } from '../vcsim/inventory';
import { provisionVms } from '../vcsim/provision';
import type { GuestJob } from '../guests/guest';
import { createInstance, defaultInstance, type InstanceHandle, type ZertoSimInstance } from '../sims/zerto/control-client';
import { drillTopology, topologyYaml } from './topology';
import { asDeclared, asZertoMakesThem, recoveredFrom, toolsView, type RecoveryModel } from './recovered-model';

/** The drill's cron schedule per guest: short jobs every second, a slow one that a handover must drain. */
const DRILL_JOBS: readonly GuestJob[] = [
  { name: 'billing', everySeconds: 1, durationMs: 300 },
  { name: 'invoices', everySeconds: 2, durationMs: 1200 },
  { name: 'report', everySeconds: 5, durationMs: 3500 },
];

/** A recovered VM boots this long before its cron starts: longer than the pause watcher takes to suspend it. */
const RECOVERED_BOOT_MS = 1000;

export interface DrillWorld {
  readonly dir: string;
  readonly topologyFile: string;
  readonly stateFile: string;
  readonly journalDir: string;
  readonly topology: Topology;
  readonly systems: FailbackSystems & { close(): Promise<void> };
  readonly fleet: GuestFleet;
  readonly env: Env;
  /** The operation every drill rehearses: failback from SBG to RBX, with this world's topology and state files. */
  readonly failback: PlanSpec & { readonly topologyFile: string; readonly stateFile: string };
  /** Stops the guests and the power followers; returns the double-execution measure and executions per site. */
  finish(): Promise<{ overlap: OverlapReport; executionsPerSite: Record<string, number> }>;
}

export interface DrillWorldOptions {
  /** Run the simulated guests' jobs through the real pra-guard (false: the proof that the measure can fail). */
  readonly guard: boolean;
  readonly log?: (line: string) => void;
  /** Changes the generated topology before it is written (fault tests route a vCenter through the fault proxy). */
  readonly customize?: (topology: TopologyInput, env: Env) => TopologyInput;
  /**
   * Rehearse with a generated topology of this many VMs (half per site, VPGs of 50) instead of the example:
   * the VMs are created in vcsim and a Zerto simulator instance of their own knows them. For the benchmarks.
   * @default the example topology (4 VMs) and the default Zerto instance
   */
  readonly vms?: number;
  /**
   * Simulated guests for the first N VM pairs only (the others get a guest root the engine publishes to and
   * drains, but no cron process): hundreds of cron processes would measure the machine, not the engine.
   * @default every VM
   */
  readonly guestPairs?: number;
  /** How recovered VMs come up (testenv/drill/recovered-model.ts). @default 'documented' */
  readonly recovery?: RecoveryModel;
  /** The VPGs re-IP recovered VMs into the recovery site's subnet, as `pra vpg sync` configures them. @default true */
  readonly reIp?: boolean;
}

/** The Zerto simulator instance a drill drives: the default one, or one created for a generated topology. */
async function zertoInstance(env: Env, topology: Topology | undefined): Promise<InstanceHandle & Partial<Pick<ZertoSimInstance, 'urls'>>> {
  const control = env.PRA_TESTENV_ZERTO_CONTROL_URL;
  return topology ? createInstance(control, { topology, vcenter: true, activeSite: 'sbg' }) : defaultInstance(control);
}

/**
 * The drill VMs and their Zerto simulator instance as every test expects to find them: production
 * on SBG after the disaster (SBG VMs on, RBX VMs off, VPG SBG -> RBX protecting).
 */
async function restoreWorld(systems: FailbackSystems, topology: Topology, zerto: InstanceHandle, recovery: RecoveryModel): Promise<void> {
  await zerto.control('POST', '/reset', { activeSite: 'sbg' });
  if (recovery === 'documented') await asZertoMakesThem((site) => systems.vcenter(site), topology);
  await Promise.all([
    ...vmsOf(topology, 'sbg').map((vm) => systems.vcenter('sbg').ensureRunning(vm)),
    ...vmsOf(topology, 'rbx').map((vm) => systems.vcenter('rbx').ensureOff(vm, { guestShutdownTimeoutMs: 0 })),
  ]);
}

/**
 * Sets the local environment to "failed over to SBG": SBG VMs running and serving, RBX VMs off, VPG
 * SBG -> RBX protecting, DNS and HAProxy on SBG, the cron token on SBG at epoch 1, published to every guest;
 * then starts one simulated guest per VM, frozen and continued with its VM's power state in vCenter.
 */
export async function prepareDrillWorld(options: DrillWorldOptions): Promise<DrillWorld> {
  const log = options.log ?? (() => undefined);
  const recovery = options.recovery ?? 'documented';
  const env = await up(allServices, (line) => log(`testenv: ${line}`));
  Object.assign(process.env, env);
  const dir = join(STATE_DIR, 'drills', newRunId(new Date()));
  mkdirSync(dir, { recursive: true });
  const topologyFile = join(dir, 'topology.yaml');
  const stateFile = join(dir, 'failback.auto.tfvars.json');
  const generated = options.vms === undefined ? undefined : generateTopology({ vms: options.vms });
  if (generated) for (const site of generated.sites) await provisionVms(env, site.name, siteInventory(generated, site.name));
  const zerto = await zertoInstance(env, generated);
  const drill = drillTopology(env, dir, { base: generated, zertoUrls: zerto.urls });
  writeFileSync(topologyFile, topologyYaml(options.customize ? options.customize(drill, env) : drill));
  const topology = loadTopology(topologyFile);
  saveState(stateFile, { failback_site: 'sbg', enable_failback_pause_mode: true, active_site: 'sbg' });
  const systems = buildSystems({ topology, stateFile }, { cwd: dir, env: process.env, operator: 'drill' });

  await restoreWorld(systems, topology, zerto, recovery);
  await zerto.control('PUT', '/delays', { syncMs: 1000, commitMs: 300, reverseProtectionMs: 500 });
  const sbgIp = topology.sites.find((s) => s.name === 'sbg')!.publicIp;
  await systems.dns!.applyChanges({ upsert: [{ name: 'app', type: 'A', ttlSeconds: 60, targets: [sbgIp] }] });
  await systems.lb!.switchTo('sbg');

  const disaster: ActiveSiteRecord = { active: 'sbg', epoch: 1, by: 'drill', at: new Date().toISOString(), reason: 'drill: production on sbg after the disaster' };
  const fleet = new GuestFleet({
    dir,
    guests: topology.vms.map((vm) => ({ vm: vm.name, site: vm.site, role: vm.role, ip: vm.ip })),
    jobs: DRILL_JOBS,
    guard: options.guard ? topology.guard.command : undefined,
    guardConf: `${guardConfig(topology.guard)}syslog=no\n`, // as cloud-init writes it; syslog off: the machine's log is not ours
    activeSiteFile: formatActiveSite(disaster),
    recoveredFrom: recoveredFrom(topology, recovery),
    tools: true,
    bootMs: RECOVERED_BOOT_MS,
    reIp: options.reIp,
    // The guard's subnet map: with re-IP, a VM booted from the other site's disks is in conflict from its first
    // second. Without re-IP there is none: it would deny a recovered VM forever (it keeps the other site's address).
    sitesConf: options.reIp === false ? undefined : topology.sites.map((site) => `${site.name} ${site.subnet}\n`).join(''),
  });
  const first = await systems.authority.compareAndSet(0, disaster);
  await Promise.all(systems.publishers.map((p) => p.publish(first)));

  const follow = new AbortController();
  const simulated = (site: string) => vmsOf(topology, site).slice(0, options.guestPairs);
  // A VM's power changes reach its guest in order; each power-on first reads what its VMware Tools will answer.
  const applied = new Map<string, Promise<void>>();
  const follower = (site: string) => (change: { vm: string; state: 'poweredOn' | 'poweredOff' | 'suspended' }) => {
    const next = (applied.get(change.vm) ?? Promise.resolve()).then(async () => {
      const view = change.state === 'poweredOn' ? await toolsView(systems.vcenter(site), change.vm).catch(() => '') : undefined;
      fleet.onPowerState(change.vm, change.state, view);
    }).catch((error: Error) => log(`drill: guest of ${change.vm}: ${error.message}`));
    applied.set(change.vm, next);
  };
  const followers = topology.sites.map((site) =>
    systems.vcenter(site.name).watchPowerStates(simulated(site.name), follower(site.name), { signal: follow.signal, intervalMs: 50 }),
  );
  const guests = topology.sites.reduce((n, site) => n + simulated(site.name).length, 0);
  log(`drill world ready in ${dir}: ${topology.vms.length} VMs, ${guests} simulated guests, jobs ${DRILL_JOBS.map((j) => j.name).join(', ')}${options.guard ? ' through pra-guard' : ' WITHOUT the guard'}`);
  return {
    dir,
    topologyFile,
    stateFile,
    journalDir: join(dir, 'runs'),
    topology,
    systems,
    fleet,
    env,
    failback: { kind: 'failback', from: 'sbg', to: 'rbx', force: false, topologyFile, stateFile },
    async finish() {
      follow.abort();
      await Promise.allSettled([...followers, ...applied.values()]);
      fleet.stop();
      await restoreWorld(systems, topology, zerto, recovery);
      if (recovery === 'documented') await asDeclared((site) => systems.vcenter(site), topology); // as other tests expect the shared VMs
      const executions = fleet.executions();
      const executionsPerSite: Record<string, number> = {};
      for (const e of executions) executionsPerSite[e.site] = (executionsPerSite[e.site] ?? 0) + 1;
      await systems.close();
      await zerto.remove();
      return { overlap: findOverlaps(executions, Date.now()), executionsPerSite };
    },
  };
}

