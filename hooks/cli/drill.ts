import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadTopology } from '../../topology';
import { auditFiles, type AuditResult } from '../audit/audit';
import { renderAudit } from '../audit/render';
import { renderer } from '../engine/render';
import { buildReport, journalOf, renderReport } from '../report';
import { runDrill, type DrillResult } from '../../testenv/drill/drill';
import { behindBastion } from '../../testenv/drill/topology';
import { guardLedger, guestRoot, guestVms } from '../../testenv/guests/fleet';
import { ExitCode, parseOptions, UsageError, type Command } from './command';

function summary(r: DrillResult): string {
  const t = r.timeline;
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const lines = [
    '',
    `drill of topology ${r.topology.name} (${r.topology.file}) ${r.timeline.view.state}: run ${r.runId} in ${r.dir}`,
    `${r.timeline.view.started.plan} duration ${s(t.totalMs)} (RTO ${t.view.started.rtoMinutes} min: ${t.rtoMet ? 'met' : 'MISSED'}), drill wall time ${s(r.wallMs)} (guests installed from their userdata in ${s(r.installMs)}), ${t.retries} retries`,
    'phases:',
    ...t.phases.map((p) => `  ${p.phase.padEnd(11)} ${s(p.startMs).padStart(7)} -> ${s(p.endMs).padStart(7)}  (${p.steps} steps)`),
    `boot windows (power-on seen -> suspended): ${t.bootWindows.map((w) => `${w.vm} ${w.ms} ms`).join(', ') || 'none'}`,
    `final: ${Object.entries(r.finals).map(([k, v]) => `${k}=${v}`).join('  ')}`,
    `job executions: ${Object.entries(r.executionsPerSite).map(([site, n]) => `${n} on ${site}`).join(", ")} (${r.overlap.unfinished} unfinished at the end)`,
    `double execution: ${r.overlap.windowMs} ms over ${r.overlap.overlaps.length} overlapping pairs`,
    ...r.overlap.overlaps.slice(0, 10).map((o) => `  ${o.job}: ${o.a.host} (${o.a.site}) and ${o.b.host} (${o.b.site}) overlapped ${o.ms} ms`),
  ];
  return `${lines.join('\n')}\n`;
}

/** The drill's evidence: the run's HTML report and the audit of the simulated guests' guard ledgers. */
function writeEvidence(r: DrillResult): { reportFile: string; audit: AuditResult } {
  const ledgers = guestVms(r.dir)
    .map((vm) => guardLedger(guestRoot(r.dir, vm)))
    .filter((file) => existsSync(file));
  const reportFile = join(r.dir, 'report.html');
  const report = buildReport(journalOf(join(r.dir, 'runs'), r.runId), ledgers);
  writeFileSync(reportFile, renderReport({ ...report, run: { ...report.run, plan: `${report.run.plan} (drill of topology ${r.topology.name})` } }, 'html'));
  return { reportFile, audit: auditFiles({ ledgers, timeZone: 'UTC' }) };
}

const FAILOVER_NOTE =
  '  (failover: jobs the disaster killed on the lost site have no end line in its guard ledgers and count as running to the end\n' +
  '   of the window above; the drill\'s double-execution figure ends them when their VM went down)\n';

function seconds(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 3600) throw new UsageError('drill', `${option} takes seconds from 0 to 3600, got ${JSON.stringify(value)}`);
  return n;
}

/** `pra drill`: the whole failback rehearsed on this machine against the local environment. */
export const drillCommand: Command = {
  name: 'drill',
  summary: 'rehearse a failback (or failover) of a topology on this machine (local servers, simulated guests), measure double execution',
  usage: 'pra drill [--topology FILE] [--direction failback|failover] [--to SITE] [--load] [--no-guard] [--bastion] [--settle SECONDS] [--validate SECONDS] [--json]',
  async run(ctx) {
    const { values } = parseOptions('drill', ctx.argv, {
      topology: { type: 'string' },
      direction: { type: 'string' },
      to: { type: 'string' },
      load: { type: 'boolean' },
      'no-guard': { type: 'boolean' },
      bastion: { type: 'boolean' },
      settle: { type: 'string' },
      validate: { type: 'string' },
      json: { type: 'boolean' },
    });
    const direction = values.direction ?? 'failback';
    if (direction !== 'failback' && direction !== 'failover') throw new UsageError('drill', `--direction takes failback or failover, got ${JSON.stringify(direction)}`);
    // A topology with problems is reported like pra validate does (file:line, field, fix; exit 2) before anything starts.
    const topologyFile = values.topology === undefined ? undefined : resolve(ctx.cwd, values.topology);
    if (topologyFile !== undefined) {
      const topology = loadTopology(topologyFile);
      if (values.to !== undefined && !topology.sites.some((s) => s.name === values.to)) throw new UsageError('drill', `--to ${values.to} is not a site of ${values.topology} (${topology.sites.map((s) => s.name).join(', ')})`);
    } else if (values.to !== undefined && values.to !== 'rbx' && values.to !== 'sbg') throw new UsageError('drill', `--to ${values.to} is not a site of the example topology (rbx, sbg)`);
    const result = await runDrill({
      topologyFile,
      direction,
      to: values.to,
      load: values.load,
      guard: !values['no-guard'],
      // Every guest reached through the testenv's bastion, as production guests behind a jump host.
      customize: values.bastion ? behindBastion : undefined,
      settleSeconds: seconds(values.settle, '--settle'),
      validateSeconds: seconds(values.validate, '--validate'),
      onEvent: values.json ? undefined : renderer(ctx.isTTY ? 'tty' : 'plain', ctx.stdout),
      log: (line) => ctx.stderr.write(`${line}\n`),
    });
    const evidence = writeEvidence(result);
    // A disaster kills the lost site's jobs mid-run: their guard ledgers never get an end line, so the audit counts
    // them running to the window's end. The drill's own measure knows when each VM went down; it decides then.
    const killed = result.direction === 'failover';
    if (values.json) ctx.stdout.write(`${JSON.stringify({ ...result, timeline: { ...result.timeline, view: undefined }, ...evidence }, null, 2)}\n`);
    else ctx.stdout.write(`${summary(result)}report: ${evidence.reportFile}\nguard ledger audit (pra audit):\n${renderAudit(evidence.audit).replace(/^(?=.)/gm, '  ')}${killed ? FAILOVER_NOTE : ''}`);
    if (result.timeline.view.state !== 'completed') return ExitCode.externalFailure;
    return result.overlap.windowMs > 0 || (!killed && evidence.audit.overlap.overlaps.length) ? ExitCode.conditionFailed : ExitCode.ok;
  },
};
