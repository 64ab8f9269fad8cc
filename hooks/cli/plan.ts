import { describeState, type FailbackState, type Topology } from '../../topology';
import { planFor, type PlanSpec } from '../engine/operation';
import type { Step, StepContext } from '../engine/step';
import { renderMarkdown, semanticDiff, synthesizeState, type SemanticDiff, type SynthesizedSide } from '../review';
import { cell } from '../report/markdown';
import { isStateStep } from '../steps/restore';
import type { FailbackSystems } from '../steps/systems';
import { recoveredVms, vmsOf, vpgsBetween } from '../steps/topology-views';
import { ExitCode, UsageError, parseOptions, type Command } from './command';
import { planSpecOf } from './failback';
import { LiveReader, type Reading } from './live';
import { loadProject, projectOptions } from './project';

type S = FailbackSystems;

/**
 * What a step's `describe` sees under `pra plan`: the topology and the failback state as it will be when
 * the step runs. `describe` reads no driver; should one be called anyway, it refuses: planning changes nothing.
 */
function planningSystems(topology: Topology, state: FailbackState): S {
  const refuse = <T>(system: string): T =>
    new Proxy({} as object, {
      get: (_target, member) => () => {
        throw new Error(`pra plan does not call ${system} ${String(member)}: planning changes nothing`);
      },
    }) as T;
  return {
    topology,
    vcenter: (site) => refuse(`vcenter ${site}`),
    zerto: (site) => refuse(`zerto ${site}`),
    dns: topology.traffic.dns ? refuse('dns') : undefined,
    lb: topology.traffic.lb ? refuse('lb') : undefined,
    authority: refuse('authority'),
    publishers: [],
    guests: refuse('guests'),
    checks: refuse('checks'),
    state: {
      read: () => state,
      write: () => {
        throw new Error('pra plan does not write the failback state: planning changes nothing');
      },
    },
    actor: 'pra plan',
    now: () => new Date(),
  };
}

/** The cheap reads that tell what a step would find now: power states, VPGs, the authority, traffic. */
interface Live {
  readonly power: Record<string, Reading<Record<string, string>>>;
  readonly vpgs: Awaited<ReturnType<LiveReader['vpgs']>>;
  readonly authority: Awaited<ReturnType<LiveReader['authority']>>;
  readonly dns?: Awaited<ReturnType<LiveReader['dns']>>;
  readonly lb?: Awaited<ReturnType<LiveReader['lb']>>;
}

async function readLive(reader: LiveReader, spec: PlanSpec, activeSite: string): Promise<Live> {
  const [from, to, vpgs, authority, dns, lb] = await Promise.all([
    reader.powerStates(spec.from),
    reader.powerStates(spec.to),
    reader.vpgs(),
    reader.authority(),
    reader.dns(activeSite),
    reader.lb(),
  ]);
  return { power: { [spec.from]: from, [spec.to]: to }, vpgs, authority, dns, lb };
}

function powerNow(live: Live, site: string, vms: readonly string[]): string {
  const reading = live.power[site];
  if (!reading.ok) return `unknown (${reading.error})`;
  const counts = new Map<string, number>();
  for (const vm of vms) counts.set(reading.value[vm] ?? 'absent', (counts.get(reading.value[vm] ?? 'absent') ?? 0) + 1);
  return `${site}: ${[...counts].map(([state, n]) => `${n} ${state}`).join(', ')}`;
}

function vpgsNow(live: Live, topology: Topology, spec: PlanSpec): string {
  const names = new Set(vpgsBetween(topology, spec.from, spec.to).map((g) => g.name));
  return live.vpgs
    .filter((v) => names.has(v.name))
    .map(({ name, reading }) =>
      reading.ok
        ? `${name} ${reading.value.status}/${reading.value.subStatus}, RPO ${reading.value.actualRpoSeconds} s${reading.value.reIp.startsWith('differs') ? `, re-IP ${reading.value.reIp}` : ''}`
        : `${name} unknown (${reading.error})`,
    )
    .join('; ');
}

function authorityNow(live: Live): string {
  if (!live.authority.ok) return `unknown (${live.authority.error})`;
  const r = live.authority.value.record;
  return r ? `authority: active=${r.active} epoch ${r.epoch}` : 'authority: no record';
}

function trafficNow(live: Live): string {
  const parts: string[] = [];
  if (live.dns) parts.push(live.dns.ok ? `dns ${live.dns.value.nameservers.map((n) => `${n.nameserver}=${n.error ? 'error' : n.sites.join('+') || 'none'}`).join(', ')}` : `dns unknown (${live.dns.error})`);
  if (live.lb) parts.push(live.lb.ok ? `lb ${live.lb.value.map((s) => `${s.site} ${s.state}`).join(', ')}` : `lb unknown (${live.lb.error})`);
  return parts.join('; ');
}

/** What each step would find, by step id prefix (most specific first). */
function nowOf(step: Step<S>, live: Live, topology: Topology, spec: PlanSpec, state: FailbackState): string {
  const recovered = recoveredVms(topology, spec.from, spec.to);
  if (step.gate) return `waits for approval ${step.gate.name}`;
  if (isStateStep(step)) return describeState(state);
  if (step.id === 'preflight.state') return `${describeState(state)}; ${authorityNow(live)}`;
  if (step.id === 'preflight.vcenters') return `${powerNow(live, spec.from, vmsOf(topology, spec.from))}; ${powerNow(live, spec.to, recovered)}`;
  if (step.id === 'switch.stop-source') return powerNow(live, spec.from, vmsOf(topology, spec.from));
  if (step.id === 'switch.traffic') return trafficNow(live);
  if (step.id.startsWith('handover.')) return authorityNow(live);
  if (step.id === 'restore.recover' || step.id.startsWith('validation.') || step.id === 'activation.resume') return `${powerNow(live, spec.to, recovered)}; ${vpgsNow(live, topology, spec)}`;
  if (step.id.startsWith('preflight.zerto') || step.id.startsWith('restore.') || step.id.startsWith('commit.')) return vpgsNow(live, topology, spec);
  return '';
}

interface PlannedStep {
  readonly n: number;
  readonly id: string;
  readonly phase: string;
  readonly title: string;
  readonly does: string;
  readonly now: string;
  readonly gate?: string;
  readonly pointOfNoReturn?: boolean;
}

interface PlanReport {
  readonly plan: string;
  readonly from: string;
  readonly to: string;
  readonly rtoMinutes: number;
  readonly steps: PlannedStep[];
  readonly stateChanges: { readonly step: string; readonly diff: SemanticDiff }[];
  readonly readErrors: string[];
}

function buildReport(topology: Topology, current: FailbackState, spec: PlanSpec, live: Live): PlanReport {
  const plan = planFor(topology, spec);
  const stateChanges: PlanReport['stateChanges'] = [];
  let state = current;
  // The synthesis of `state`, once a state step needed it: each state is synthesized once, the next change's `from`.
  let synthesized: SynthesizedSide | undefined;
  const steps = plan.steps.map((step, i): PlannedStep => {
    const ctx: StepContext<S> = { runId: 'RUN', systems: planningSystems(topology, state), outputs: {}, signal: new AbortController().signal, progress: () => undefined };
    const planned = { n: i + 1, id: step.id, phase: step.phase, title: step.title, does: step.describe(ctx), now: nowOf(step, live, topology, spec, state), gate: step.gate?.name, pointOfNoReturn: step.pointOfNoReturn };
    if (isStateStep(step)) {
      const before = synthesized ?? synthesizeState(topology, state);
      state = step.nextState(state);
      synthesized = synthesizeState(topology, state);
      stateChanges.push({ step: step.id, diff: semanticDiff(before, synthesized) });
    }
    return planned;
  });
  const readings: Reading<unknown>[] = [...Object.values(live.power), ...live.vpgs.map((v) => v.reading), live.authority, ...(live.dns ? [live.dns] : []), ...(live.lb ? [live.lb] : [])];
  return { plan: plan.name, from: spec.from, to: spec.to, rtoMinutes: plan.rtoMinutes, steps, stateChanges, readErrors: [...new Set(readings.flatMap((r) => (r.ok ? [] : [r.error])))] };
}

function renderPlanMarkdown(report: PlanReport, topologyName: string): string {
  const lines = [
    `# pra plan: ${report.plan} (topology ${topologyName})`,
    '',
    `Read from the live systems at ${new Date().toISOString()}; nothing was changed. RTO budget ${report.rtoMinutes} min.`,
    '',
    '## Steps',
    '',
    '| # | phase | step | what it will do | now |',
    '|---|---|---|---|---|',
    ...report.steps.map((s) => `| ${s.n} | ${s.phase} | \`${s.id}\`${s.gate ? ' (approval)' : ''}${s.pointOfNoReturn ? ' (no return)' : ''} | ${cell(s.does)} | ${cell(s.now)} |`),
    '',
  ];
  const gates = report.steps.filter((s) => s.gate).map((s) => s.gate);
  if (gates.length) lines.push(`Approvals: ${gates.join(', ')} (operator and comment are journaled).`);
  const noReturn = report.steps.find((s) => s.pointOfNoReturn);
  if (noReturn) lines.push(`Point of no return: \`${noReturn.id}\`; before it, \`pra rollback\` undoes the run; after it, the way back is a new failover.`);
  if (report.readErrors.length) lines.push('', '**Systems that did not answer:**', ...report.readErrors.map((e) => `- ${e}`));
  lines.push('', '## Infrastructure changes', '');
  if (!report.stateChanges.length) lines.push('The plan does not change the failback state.');
  for (const change of report.stateChanges) lines.push(renderMarkdown(change.diff, `step \`${change.step}\``), '');
  return `${lines.join('\n')}\n`;
}

/** `pra plan --to SITE`: the steps a failback (or `--failover`) would run, against the live systems, and the infrastructure diff. */
export const planCommand: Command = {
  name: 'plan',
  summary: 'the ordered steps pra failback --to SITE would run, what each finds now, and the infrastructure diff (Markdown for a PR)',
  usage: 'pra plan --to SITE [--failover [--force]] [--json] [--topology FILE] [--state FILE]',
  async run(ctx) {
    const { values, positionals } = parseOptions('plan', ctx.argv, { ...projectOptions, to: { type: 'string' }, failover: { type: 'boolean' }, force: { type: 'boolean' }, json: { type: 'boolean' } });
    if (positionals.length) throw new UsageError('plan', `takes no arguments, got ${positionals.join(' ')}`);
    const project = loadProject(ctx, values);
    const spec = planSpecOf('plan', values.failover ? 'failover' : 'failback', project, values.to, Boolean(values.force));
    const reader = new LiveReader(project.topology, ctx);
    let report: PlanReport;
    try {
      report = buildReport(project.topology, project.state, spec, await readLive(reader, spec, project.state.active_site));
    } finally {
      await reader.close();
    }
    ctx.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : renderPlanMarkdown(report, project.topology.name));
    if (!report.readErrors.length) return ExitCode.ok;
    ctx.stderr.write(`pra: plan: ${report.readErrors.length} system(s) did not answer; the plan above is complete, the "now" column is not\n`);
    return ExitCode.externalFailure;
  },
};
