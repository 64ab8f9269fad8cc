import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { generateTopology, loadTopology, saveState, type FailbackState, type Topology, type TopologyInput } from '../../topology';
import { findOverlaps, type OverlapReport } from '../../hooks/audit/overlap';
import type { ActiveSiteRecord } from '../../hooks/drivers/authority/index';
import { formatActiveSite } from '../../hooks/drivers/authority/publishers/index';
import type { PlanSpec } from '../../hooks/engine/operation';
import { buildSystems } from '../../hooks/engine/systems';
import type { FailbackSystems } from '../../hooks/steps/systems';
import { vmsOf } from '../../hooks/steps/topology-views';
import { newRunId } from '../../hooks/engine/journal';
import { EXAMPLE_TOPOLOGY, STATE_DIR, up, type Env } from '../core';
import { allServices } from '../services';
import { GuestFleet } from '../guests/fleet';
import { placementOf, siteInventory } from '../vcsim/inventory';
import { provisionVms } from '../vcsim/provision';
import { createInstance, type InstanceHandle, type ZertoSimInstance } from '../sims/zerto/control-client';
import { inLane, takeLane, type DrillLane } from './lanes';
import { boundedAll, FAN_OUT } from '../../hooks/drivers/common/concurrency';
import { vcentersFromTopology } from '../../hooks/drivers/vsphere/from-topology';
import { guestJobs, installGuests } from './guests';
import { followGuests, guestinfoEnv } from './follow';
import { declaredGuestinfo } from './userdata';
import { startHttpStandIn } from './http-stand-in';
import { localTopology, slotOf } from './local-topology';
import { drillTopology, topologyYaml } from './topology';
import { startLoad } from './load';
import { SiteLinks } from './site-links';
import { asZertoMakesThem, guestsByVcenterName, undoRecoveredVms, type RecoveryModel } from './recovered-model';
import { vpgCommand } from '../../hooks/cli/vpg';
import type { RecoveredNames } from '../sims/zerto/world';

/** A recovered VM boots this long before its cron starts: longer than the pause watcher takes to suspend it. */
const RECOVERED_BOOT_MS = 1000;

export interface DrillWorld {
  readonly dir: string;
  /** The drill lane the world runs in (testenv/drill/lanes.ts): its datacenters, DNS record and HAProxy backend. */
  readonly lane: number;
  readonly topologyFile: string;
  readonly stateFile: string;
  readonly journalDir: string;
  readonly topology: Topology;
  readonly systems: FailbackSystems & { close(): Promise<void> };
  readonly fleet: GuestFleet;
  readonly env: Env;
  /** How long synthesizing the stacks and installing every guest from its userdata took. */
  readonly installMs: number;
  /** The topology rehearsed: its name and file (the example's when none was given). */
  readonly source: { readonly name: string; readonly file: string };
  /** The operation the drill rehearses (failback SBG -> RBX for the example), with this world's topology and state files. */
  readonly failback: PlanSpec & { readonly topologyFile: string; readonly stateFile: string };
  /** The disaster before a failover: the lost site's VMs go down at once, jobs in flight included, then its vCenter, ZVM and guests stop answering. */
  disaster(): Promise<void>;
  /** The lost site answers again (after the run: the drill reads its final state; finish does it too). */
  siteBack(): Promise<void>;
  /**
   * Each VM of `site` (topology order) as that site's vCenter shows it: the state of the VM that runs its guest
   * there (a VM recovered under its protected VM's name first), or `absent` (a Move's commit removed it).
   */
  vmStates(site: string): Promise<string[]>;
  /** The Zerto simulator instance the engine drives (its control: requests served, faults, delays). */
  readonly zerto: InstanceHandle;
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
   * the VMs are created in vcsim (in the generated sites' own datacenters) and a Zerto simulator instance of their own knows them. For the benchmarks.
   * @default the example topology (4 VMs) and the default Zerto instance
   */
  readonly vms?: number;
  /**
   * Simulated guests for the first N VM pairs only (the others get a guest root the engine publishes to and
   * drains, but no cron process): hundreds of cron processes would measure the machine, not the engine.
   * @default every VM
   */
  readonly guestPairs?: number;
  /**
   * Rehearse this topology file (a user's own): its sites (VMs in each one's own vcenter datacenter, cluster, datastore
   * and network, created in vcsim), VMs, VPGs, jobs and driver kinds on local servers.
   * @default the example topology with the drill's fixed drivers (RFC 2136, HAProxy, file authority)
   */
  readonly topologyFile?: string;
  /** failback: from the standby (production there after a disaster) back to the primary; failover: the disaster direction. @default failback */
  readonly direction?: 'failback' | 'failover';
  /** The site the run brings production to. @default the primary for a failback, the standby for a failover */
  readonly to?: string;
  /** Busy loops on every core and fast jobs while the drill runs. @default false */
  readonly load?: boolean;
  /** Called between the synthesis and the guests' installation (tests break the synthesized userdata here). */
  readonly afterSynth?: (outdir: string) => void;
  /** How recovered VMs come up (testenv/drill/recovered-model.ts). @default 'documented' */
  readonly recovery?: RecoveryModel;
  /**
   * `pra vpg sync` runs on the drill's VPGs first: their NIC settings re-IP a recovered VM into the recovery site's
   * subnet (the simulator applies them); false: the VPGs keep their NICs as created, a recovered VM keeps the
   * address on its disk. @default true
   */
  readonly reIp?: boolean;
  /**
   * How Zerto names the VMs it recovers (testenv/sims/zerto/world.ts): 'protected', the documented model, on a
   * simulator instance of the drill's own; 'peer', the seeds' model (the example on the daemon's default instance).
   * @default 'protected'
   */
  readonly recoveredNames?: RecoveredNames;
  /** The drill lane to run in, waiting for it: a test of what an earlier world left there. @default the first free one */
  readonly lane?: number;
}

/** The drill's own Zerto simulator instance: it knows the topology's VMs in the lane's datacenters. */
async function zertoInstance(env: Env, topology: Topology, activeSite: string, recoveredNames: RecoveredNames): Promise<ZertoSimInstance> {
  const vcenterSites = Object.fromEntries(topology.sites.map((s) => [s.name, slotOf(s).toLowerCase()]));
  return createInstance(env.PRA_TESTENV_ZERTO_CONTROL_URL, { topology, vcenter: true, activeSite, vcenterSites, recoveredNames, ownDatacenters: true });
}

/**
 * The lane's VMs as the drill starts, whatever an earlier world of the lane left: production on `active` (SBG
 * after the disaster for the example: SBG VMs on, RBX VMs off).
 */
async function resetLaneVms(env: Env, systems: FailbackSystems, topology: Topology, active: string, recovery: RecoveryModel, declared: ReadonlyMap<string, Readonly<Record<string, string>>>): Promise<void> {
  await undoRecoveredVms(env, topology, active, declared); // what protected-name recoveries created and removed
  if (recovery === 'documented') await asZertoMakesThem((site) => systems.vcenter(site), topology);
  await Promise.all(
    topology.sites.flatMap((site) =>
      vmsOf(topology, site.name).map((vm) => (site.name === active ? systems.vcenter(site.name).ensureRunning(vm) : systems.vcenter(site.name).ensureOff(vm, { guestShutdownTimeoutMs: 0 }))),
    ),
  );
}

/** `pra vpg sync` in the drill's directory (its synthesized manifest): the VPGs' NICs re-IP recovered VMs (H13). */
async function syncVpgs(cwd: string, topologyFile: string, log: (line: string) => void): Promise<void> {
  let output = '';
  const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => ((output += chunk.toString()), done()) });
  const code = await vpgCommand.run({ argv: ['sync', '--topology', topologyFile], stdout: sink, stderr: sink, env: process.env, cwd, isTTY: false });
  if (code !== 0) throw new Error(`drill: pra vpg sync exited ${code}: ${output.trim()}`);
  log(`drill: ${output.trim().split('\n').at(-1)}`);
}

/** Which site a run leaves and which it brings production to. */
function directionOf(topology: Topology, direction: 'failback' | 'failover', to: string | undefined): { from: string; to: string } {
  const named = (role: string) => topology.sites.find((s) => s.role === role)!.name;
  const target = to ?? (direction === 'failback' ? named('primary') : named('standby'));
  const other = topology.sites.find((s) => s.name !== target);
  if (!other || !topology.sites.some((s) => s.name === target)) throw new Error(`drill: --to ${target} is not a site of the topology (${topology.sites.map((s) => s.name).join(', ')})`);
  return { from: other.name, to: target };
}

/**
 * Sets the local environment to "production on the site the run leaves" (for the example: failed over to
 * SBG): that site's VMs running and serving, the other's off, its VPG protecting, DNS and the load balancer
 * on it, the cron token there at epoch 1, published to every guest; installs every guest with the userdata
 * its site stack synthesizes, then starts one simulated guest per VM, frozen and continued with its VM's
 * power state in vCenter.
 */
export async function prepareDrillWorld(options: DrillWorldOptions): Promise<DrillWorld> {
  const lane = await takeLane(options.lane);
  try {
    return await prepareInLane(options, lane);
  } catch (error) {
    lane.release();
    throw error;
  }
}

async function prepareInLane(options: DrillWorldOptions, lane: DrillLane): Promise<DrillWorld> {
  const log = options.log ?? (() => undefined);
  const recovery = options.recovery ?? 'documented';
  const env = await up(allServices, (line) => log(`testenv: ${line}`));
  Object.assign(process.env, env);
  const dir = join(STATE_DIR, 'drills', newRunId(new Date()));
  mkdirSync(dir, { recursive: true });
  const topologyFile = join(dir, 'topology.yaml');
  const stateFile = join(dir, 'failback.auto.tfvars.json');
  const user = options.topologyFile === undefined ? undefined : loadTopology(options.topologyFile);
  const generated = options.vms === undefined ? undefined : generateTopology({ vms: options.vms });
  // In the lane's own datacenters: the testenv's example VMs are left to the tests that read them.
  const base = inLane(user ?? generated ?? loadTopology(EXAMPLE_TOPOLOGY), lane.index);
  const { from, to } = directionOf(base, options.direction ?? 'failback', options.to);
  const recoveredNames = options.recoveredNames ?? 'protected';
  const zerto = await zertoInstance(env, base, from, recoveredNames);
  const httpStandIn = await startHttpStandIn(user?.checks.http ?? []);
  let drill: TopologyInput;
  if (user) {
    const local = localTopology(base, env, dir, { zertoUrls: zerto.urls, httpStandIn: httpStandIn.url, lane: lane.index });
    Object.assign(process.env, local.env);
    for (const note of local.notes) log(`drill: ${note}`);
    drill = local.topology;
  } else drill = drillTopology(env, dir, { base, zertoUrls: zerto.urls, lane: lane.index });
  if (options.customize) drill = options.customize(drill, env);
  // The disaster direction loses the site it leaves: its vCenter, ZVM and guests go through links the disaster cuts.
  let links: SiteLinks | undefined;
  if (options.direction === 'failover') ({ topology: drill, links } = await SiteLinks.route(drill, from));
  writeFileSync(topologyFile, topologyYaml(drill));
  const topology = loadTopology(topologyFile);
  const state: FailbackState = { failback_site: from, enable_failback_pause_mode: true, active_site: from };
  saveState(stateFile, state);
  const installStarted = Date.now();
  const outdir = await installGuests({ dir, topology, state, afterSynth: options.afterSynth }).catch(async (error: unknown) => {
    await Promise.all([zerto.remove(), httpStandIn.close()]); // nothing else runs yet
    throw error;
  });
  const installMs = Date.now() - installStarted;
  const declared = declaredGuestinfo(outdir, topology);
  const vcenters = vcentersFromTopology(topology, process.env);
  for (const site of topology.sites) await provisionVms(env, slotOf(site), siteInventory(topology, site.name, from, declared), placementOf(site));
  // VMs left by an earlier drill of the same topology in this lane keep what that drill's stacks declared (its etcd key): redeclare.
  await boundedAll(topology.vms, FAN_OUT, (vm) => vcenters[vm.site].writeExtraConfig(vm.name, declared.get(vm.name) ?? {}));
  const systems = buildSystems({ topology, stateFile }, { cwd: dir, env: process.env, operator: 'drill' });

  await resetLaneVms(env, systems, topology, from, recovery, declared);
  await zerto.control('PUT', '/delays', { syncMs: 1000, commitMs: 300, reverseProtectionMs: 500 });
  const fromIp = topology.sites.find((s) => s.name === from)!.publicIp;
  await systems.dns?.applyChanges({ upsert: [{ name: topology.traffic.dns?.record ?? 'app', type: 'A', ttlSeconds: 60, targets: [fromIp] }] });
  await systems.lb?.switchTo(from);

  const start: ActiveSiteRecord = { active: from, epoch: 1, by: 'drill', at: new Date().toISOString(), reason: `drill: production on ${from}` + (options.direction === 'failover' ? '' : ' after the disaster') };
  const guarded = options.guard;
  const fleet = new GuestFleet({
    dir,
    guests: topology.vms.map((vm) => ({ vm: vm.name, site: vm.site, role: vm.role, ip: vm.ip })),
    jobsOf: (role) => guestJobs(topology, role, options.load),
    guarded,
    envOf: (vm) => guestinfoEnv(dir, vm),
    activeSiteFile: formatActiveSite(start),
    bootMs: RECOVERED_BOOT_MS,
    // The guard's subnet map: with re-IP, a VM booted from the other site's disk is in conflict from its first
    // second. Without re-IP there is none: it would deny a recovered VM forever (it keeps the other site's address).
    sitesConf: options.reIp === false ? undefined : topology.sites.map((site) => `${site.name} ${site.subnet}\n`).join(''),
  });
  const first = await systems.authority.compareAndSet(0, start);
  await Promise.all(systems.publishers.map((p) => p.publish(first)));

  const simulated = (site: string) => vmsOf(topology, site).slice(0, options.guestPairs);
  const guestOf = guestsByVcenterName(topology, recoveredNames, simulated);
  const everyGuestOf = guestsByVcenterName(topology, recoveredNames, (site) => vmsOf(topology, site));
  // Documented recoveries boot the protected VM's disk: the simulator carries the guests' disks (a vCenter name
  // at a site -> the guest root that VM's disk is). The seeds' recoveries boot the recovery site's own disks.
  if (recovery === 'documented') {
    await zerto.control('PUT', '/disks', Object.fromEntries([...guestOf].map(([site, guests]) => [site, Object.fromEntries([...guests].map(([name, vm]) => [name, fleet.rootOf(vm)]))])));
  }
  if (options.reIp !== false) await syncVpgs(dir, topologyFile, log);

  const followers = await followGuests(
    dir,
    systems,
    fleet,
    topology.sites.map((site) => ({ site: site.name, vcenter: vcenters[site.name], guests: guestOf.get(site.name)! })),
    log,
  );
  const load = options.load ? startLoad() : undefined;
  const guests = topology.sites.reduce((n, site) => n + simulated(site.name).length, 0);
  const roles = [...new Set(topology.vms.map((vm) => vm.role))];
  const jobs = roles.map((role) => `${role}: ${guestJobs(topology, role, options.load).map((j) => j.name).join(', ')}`).join('; ');
  log(`drill world ready in ${dir}: topology ${base.name}, ${topology.vms.length} VMs installed by their userdata in ${(installMs / 1000).toFixed(1)} s, ${guests} simulated guests, jobs ${jobs}${guarded ? ' through the installed pra-guard' : ' WITHOUT the guard'}${load ? `, ${load.cores} busy loops` : ''}`);
  return {
    dir,
    lane: lane.index,
    topologyFile,
    stateFile,
    journalDir: join(dir, 'runs'),
    topology,
    systems,
    fleet,
    env,
    installMs,
    source: { name: base.name, file: options.topologyFile ?? (generated ? `generated (${options.vms} VMs)` : EXAMPLE_TOPOLOGY) },
    failback: { kind: options.direction ?? 'failback', from, to, force: options.direction === 'failover', topologyFile, stateFile },
    async disaster() {
      await Promise.all(vmsOf(topology, from).map((vm) => systems.vcenter(from).ensureOff(vm, { guestShutdownTimeoutMs: 0 })));
      await followers.sync(from); // the guests go down before the links are cut: the poll would never see it
      await links?.cut();
      await zerto.control('PUT', '/lost', { sites: [from] }); // nor does the other site's ZVM reach it
    },
    async siteBack() {
      await links?.restore();
      await zerto.control('PUT', '/lost', { sites: [] });
    },
    async vmStates(site) {
      const states = await systems.vcenter(site).powerStates([...everyGuestOf.get(site)!.keys()]);
      const names = [...everyGuestOf.get(site)!];
      return vmsOf(topology, site).map((vm) => names.filter(([, guest]) => guest === vm).map(([name]) => states.get(name)).find((state) => state !== undefined) ?? 'absent');
    },
    zerto,
    async finish() {
      try {
        load?.stop();
        await followers.stop();
        await Promise.all(Object.values(vcenters).map((v) => v.close()));
        fleet.stop();
        // The lane's VMs stay as the run left them: the next world in the lane sets them up again.
        const executions = fleet.executions();
        const executionsPerSite: Record<string, number> = {};
        for (const e of executions) executionsPerSite[e.site] = (executionsPerSite[e.site] ?? 0) + 1;
        await systems.close();
        await links?.cut();
        await zerto.remove();
        await httpStandIn.close();
        return { overlap: findOverlaps(executions, Date.now()), executionsPerSite };
      } finally {
        lane.release();
      }
    },
  };
}
