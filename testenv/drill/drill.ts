import { readJournal } from '../../hooks/engine/journal';
import { autoApprover } from '../../hooks/engine/approvers';
import type { Approver } from '../../hooks/engine/runner';
import type { JournalEntry } from '../../hooks/engine/events';
import { operate } from '../../hooks/engine/operation';
import { timelineOf, type Timeline } from '../../hooks/engine/timeline';
import type { OverlapReport } from '../../hooks/audit/overlap';
import { pollUntil, realSleep, type Sleep } from '../../hooks/drivers/common/retry';
import type { FailbackSystems } from '../../hooks/steps/systems';
import { vpgsBetween } from '../../hooks/steps/topology-views';
import { prepareDrillWorld, type DrillWorld, type DrillWorldOptions } from './world';

export interface DrillOptions extends Pick<DrillWorldOptions, 'vms' | 'guestPairs' | 'topologyFile' | 'direction' | 'to' | 'load' | 'afterSynth' | 'customize' | 'recovery' | 'recoveredNames'> {
  readonly guard: boolean;
  /** Seconds the guests run before and after the failback (jobs on SBG, then on RBX). @default 3 */
  readonly settleSeconds?: number;
  /**
   * Seconds the drill's operator takes at each approval gate before approving: checking the VMs, then the
   * application on RBX while SBG still serves. This is the window in which unguarded crons run on both
   * sites (the runbook's 30-60 minutes, mostly people validating). @default 2
   */
  readonly validateSeconds?: number;
  readonly onEvent?: (entry: JournalEntry) => void;
  readonly log?: (line: string) => void;
  /** Wraps the systems the run drives (the benchmark times every driver call). @default as built */
  readonly instrument?: (systems: FailbackSystems) => FailbackSystems;
  /** The runner's sleeps and the drill operator's time at the gates (the benchmark counts them as waiting). @default real timers */
  readonly sleep?: Sleep;
  /** Engine steps left out (the proof that the recovered VMs' identity write matters). @default none */
  readonly omitSteps?: readonly string[];
}

export interface DrillResult {
  /** The topology rehearsed: its name and file. */
  readonly topology: { readonly name: string; readonly file: string };
  readonly direction: 'failback' | 'failover';
  readonly dir: string;
  /** Synthesis of the stacks and installation of the guests from their userdata. */
  readonly installMs: number;
  readonly runId: string;
  readonly timeline: Timeline;
  readonly overlap: OverlapReport;
  readonly executionsPerSite: Record<string, number>;
  readonly wallMs: number;
  readonly finals: Record<string, string>;
}


/** Approves every gate after `ms`, the time a person takes to check what the gate shows. */
export function drillOperator(ms: number, wait: Sleep = realSleep): Approver {
  const approve = autoApprover('drill');
  return {
    async request(gate, prompt, signal) {
      await wait(ms);
      return approve.request(gate, prompt, signal);
    },
  };
}

const capitalized = (site: string) => site.charAt(0).toUpperCase() + site.slice(1);

/** What the world looks like after the run (keys named after the sites): the drill's acceptance reads these. */
async function finalStates(world: DrillWorld): Promise<Record<string, string>> {
  const { systems, topology } = world;
  const { from, to } = world.failback;
  const record = await systems.authority.read();
  const vpgs = await Promise.all(vpgsBetween(topology, from, to).map((g) => systems.zerto(to).getVpg(g.name)));
  const power = async (site: string) => (await world.vmStates(site)).join(',');
  const finals: Record<string, string> = {
    authority: `${record?.active}@${record?.epoch}`,
    [`${to}Vms`]: await power(to),
    [`${from}Vms`]: await power(from),
    vpg: [...new Set(vpgs.map((vpg) => `${vpg.statusName} ${vpg.sourceSite} -> ${vpg.targetSite}`))].join(', '),
  };
  const name = topology.traffic.dns?.record ?? 'app';
  if (systems.dns) finals[`dnsOn${capitalized(to)}`] = String((await systems.dns.verify({ name, addresses: [topology.sites.find((s) => s.name === to)!.publicIp] })).ok);
  if (systems.lb) finals[`lbOn${capitalized(to)}`] = String((await systems.lb.verify(to)).ok);
  return finals;
}

/**
 * Waits (at most a minute) until a job has run on `site`: the measure needs jobs on both sides of the run, and on a
 * loaded machine the guests' first cron minute may come after the settle time (24 fork loops: none in 2 s).
 */
async function jobsRanOn(world: DrillWorld, site: string): Promise<void> {
  const ran = async () => (world.fleet.executions().some((e) => e.site === site) ? true : undefined);
  await pollUntil(ran, { timeoutMs: 60_000, intervalMs: 100, system: 'drill', what: `a job on ${site}` }).catch(() => undefined); // the measure says the rest
}

/**
 * The whole failback (or failover) rehearsed on this machine: the local environment set to "production on the
 * site the run leaves" (the example: failed over to SBG), one simulated guest per VM installed by its
 * synthesized userdata and running its role's cron jobs (through the installed guard unless `guard` is
 * false), then the run with auto-approval (a failover after the disaster, with --force), then the
 * double-execution window measured from the job ledger.
 */
export async function runDrill(options: DrillOptions): Promise<DrillResult> {
  const started = Date.now();
  const { guard, log, vms, guestPairs, topologyFile, direction, to, load, afterSynth, customize, recovery, recoveredNames } = options;
  const world = await prepareDrillWorld({ guard, log, vms, guestPairs, topologyFile, direction, to, load, afterSynth, customize, recovery, recoveredNames });
  const settle = (options.settleSeconds ?? 3) * 1000;
  let runId = '';
  let finals: Record<string, string> = {};
  let measured: { overlap: OverlapReport; executionsPerSite: Record<string, number> };
  try {
    await realSleep(settle);
    await jobsRanOn(world, world.failback.from);
    if (world.failback.kind === 'failover') await world.disaster();
    const view = await operate(
      'start',
      options.instrument ? options.instrument(world.systems) : world.systems,
      world.failback,
      { journalDir: world.journalDir, operator: 'drill', approver: drillOperator((options.validateSeconds ?? 2) * 1000, options.sleep ?? realSleep), onEvent: options.onEvent, approvalPollMs: 20, sleep: options.sleep, omitSteps: options.omitSteps },
    );
    runId = view.id;
    await realSleep(settle);
    await world.siteBack(); // the lost site's final state, as the drill's environment knows it
    finals = await finalStates(world);
  } finally {
    measured = await world.finish();
  }
  return { topology: world.source, direction: direction ?? 'failback', dir: world.dir, installMs: world.installMs, runId, timeline: timelineOf(readJournal(world.journalDir, runId)), ...measured, wallMs: Date.now() - started, finals };
}
