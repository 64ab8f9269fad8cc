import { readJournal } from '../../hooks/engine/journal';
import { autoApprover } from '../../hooks/engine/approvers';
import type { Approver } from '../../hooks/engine/runner';
import type { JournalEntry } from '../../hooks/engine/events';
import { operate } from '../../hooks/engine/operation';
import { timelineOf, type Timeline } from '../../hooks/engine/timeline';
import type { OverlapReport } from '../../hooks/audit/overlap';
import { realSleep, type Sleep } from '../../hooks/drivers/common/retry';
import type { FailbackSystems } from '../../hooks/steps/systems';
import { vmsOf, vpgsBetween } from '../../hooks/steps/topology-views';
import { prepareDrillWorld, type DrillWorld, type DrillWorldOptions } from './world';

export interface DrillOptions extends Pick<DrillWorldOptions, 'vms' | 'guestPairs' | 'recovery'> {
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
  readonly dir: string;
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

/** What the world looks like after the run: the drill's acceptance reads these. */
async function finalStates(world: DrillWorld): Promise<Record<string, string>> {
  const { systems, topology } = world;
  const record = await systems.authority.read();
  const vpgs = await Promise.all(vpgsBetween(topology, 'sbg', 'rbx').map((g) => systems.zerto('rbx').getVpg(g.name)));
  const power = async (site: string) => [...(await systems.vcenter(site).powerStates(vmsOf(topology, site))).values()].join(',');
  const dns = await systems.dns!.verify({ name: 'app', addresses: [topology.sites.find((s) => s.name === 'rbx')!.publicIp] });
  const lb = await systems.lb!.verify('rbx');
  return {
    authority: `${record?.active}@${record?.epoch}`,
    rbxVms: await power('rbx'),
    sbgVms: await power('sbg'),
    vpg: [...new Set(vpgs.map((vpg) => `${vpg.statusName} ${vpg.sourceSite} -> ${vpg.targetSite}`))].join(', '),
    dnsOnRbx: String(dns.ok),
    lbOnRbx: String(lb.ok),
  };
}

/**
 * The whole failback rehearsed on this machine: the local environment set to "failed over to SBG", one
 * simulated guest per VM running cron jobs (through the real guard unless `guard` is false), then
 * `failback --to rbx` with auto-approval, then the double-execution window measured from the job ledger.
 */
export async function runDrill(options: DrillOptions): Promise<DrillResult> {
  const started = Date.now();
  const world = await prepareDrillWorld({ guard: options.guard, log: options.log, vms: options.vms, guestPairs: options.guestPairs, recovery: options.recovery });
  const settle = (options.settleSeconds ?? 3) * 1000;
  let runId = '';
  let finals: Record<string, string> = {};
  let measured: { overlap: OverlapReport; executionsPerSite: Record<string, number> };
  try {
    await realSleep(settle);
    const view = await operate(
      'start',
      options.instrument ? options.instrument(world.systems) : world.systems,
      world.failback,
      { journalDir: world.journalDir, operator: 'drill', approver: drillOperator((options.validateSeconds ?? 2) * 1000, options.sleep ?? realSleep), onEvent: options.onEvent, approvalPollMs: 20, sleep: options.sleep, omitSteps: options.omitSteps },
    );
    runId = view.id;
    await realSleep(settle);
    finals = await finalStates(world);
  } finally {
    measured = await world.finish();
  }
  return { dir: world.dir, runId, timeline: timelineOf(readJournal(world.journalDir, runId)), ...measured, wallMs: Date.now() - started, finals };
}
