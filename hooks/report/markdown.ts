import type { RunReport } from './model';
import { duration } from './post-mortem';

const WIDTH = 48;

/** A text bar on the run's time scale: readable in any terminal, PR or wiki (no diagram renderer needed). */
function bar(startMs: number, endMs: number, totalMs: number): string {
  const scale = totalMs > 0 ? WIDTH / totalMs : 0;
  const from = Math.min(WIDTH - 1, Math.floor(startMs * scale));
  const length = Math.max(1, Math.round((endMs - startMs) * scale));
  return `${' '.repeat(from)}${'█'.repeat(Math.min(length, WIDTH - from))}`.padEnd(WIDTH);
}

/** Text made safe for one cell of a Markdown table: pipes escaped, line breaks folded. */
export const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const at = (ms: number) => `+${duration(ms)}`;

export function renderMarkdown(r: RunReport): string {
  const run = r.run;
  const out: string[] = [
    `# Failback report: ${run.plan}`,
    '',
    `| | |`,
    `|---|---|`,
    `| Run | \`${run.id}\` (${run.state}) |`,
    `| Direction | ${run.from} -> ${run.to} |`,
    `| Operator(s) | ${run.operators.map(cell).join(', ')} |`,
    `| Start | ${run.startedAt} |`,
    `| End | ${run.endedAt ?? `(not finished; last event at ${at(run.totalMs)})`} |`,
    `| Duration | ${duration(run.totalMs)} |`,
    `| RTO | ${run.rtoMinutes} min: **${run.rtoMet ? 'met' : 'MISSED'}** (margin ${duration(run.rtoMarginMs)}, ${((run.totalMs / (run.rtoMinutes * 60_000)) * 100).toFixed(1)} % of the budget used) |`,
    `| Double execution | ${doubleExecutionLine(r)} |`,
    '',
    '## Timeline',
    '',
    `Scale: the bar width is the run (${duration(run.totalMs)}); the RTO budget is ${run.rtoMinutes} min.`,
    '',
    '```',
    ...r.phases.map((p) => `${p.phase.padEnd(26)} ${bar(p.startMs, p.endMs, run.totalMs)} ${at(p.startMs).padStart(9)} ${duration(p.endMs - p.startMs).padStart(9)}`),
    '',
    ...r.steps.filter((s) => s.startMs !== undefined).map((s) => `${s.id.padEnd(26)} ${bar(s.startMs!, s.endMs ?? run.totalMs, run.totalMs)} ${at(s.startMs!).padStart(9)} ${duration((s.endMs ?? run.totalMs) - s.startMs!).padStart(9)} ${s.status}${s.attempts > 1 ? ` (${s.attempts} attempts)` : ''}`),
    '```',
    '',
    '## Approvals',
    '',
  ];
  if (r.approvals.length) {
    out.push('| Gate | Asked | Decision | By | At | Waited | Comment |', '|---|---|---|---|---|---|---|');
    for (const a of r.approvals) {
      const d = a.decision;
      out.push(`| ${a.gate} | ${a.requestedAt} | ${d ? (d.approved ? 'approved' : 'declined') : 'pending'} | ${d ? cell(d.by) : ''} | ${d?.at ?? ''} | ${a.waitMs === undefined ? '' : duration(a.waitMs)} | ${d ? cell(d.comment) : ''} |`);
    }
  } else out.push('No approval gate was reached.');
  const h = r.handover;
  out.push('', '## Cron handover and epochs', '');
  if (h.fence || h.grant) {
    if (h.fence) out.push(`- Fence: token to nobody at epoch ${h.fence.epoch}, confirmed at ${at(h.fence.atMs)}`);
    if (h.drainMs !== undefined) out.push(`- Drain of the jobs in flight on ${run.from}: ${duration(h.drainMs)}`);
    if (h.grant) out.push(`- Grant: token to ${run.to} at epoch ${h.grant.epoch}, confirmed at ${at(h.grant.atMs)}`);
    if (h.tokenNowhereMs !== undefined) out.push(`- No site could start a job for ${duration(h.tokenNowhereMs)}`);
  } else out.push('The cron handover did not happen in this run.');
  out.push('', '## Boot windows (power-on seen -> suspended)', '');
  out.push(...(r.bootWindows.length ? r.bootWindows.map((w) => `- ${w.vm}: ${duration(w.ms)}`) : ['None recorded.']));
  out.push('', '## Retries and faults', '');
  if (r.incidents.length) {
    out.push('| At | Kind | Step | System | Message |', '|---|---|---|---|---|');
    for (const i of r.incidents) out.push(`| ${at(i.atMs)} | ${i.kind} | ${i.step ?? ''} | ${i.system ?? ''} | ${cell(i.message)} |`);
  } else out.push('None.');
  out.push('', '## Double execution', '', doubleExecutionLine(r));
  if (r.doubleExecution.measured && r.doubleExecution.overlaps.length) {
    out.push('', '| Job | Sites | Start | Overlap |', '|---|---|---|---|', ...r.doubleExecution.overlaps.map((o) => `| ${o.job} | ${o.sites} | ${o.start} | ${duration(o.ms)} |`));
  }
  const pm = r.postMortem;
  out.push(
    '', '## Post-mortem', '', '_Pre-filled from the journal; edit during the review._', '',
    '### What went well', '', ...pm.wentWell.map((l) => `- ${l}`), '',
    '### What to improve', '', ...(pm.toImprove.length ? pm.toImprove.map((l) => `- ${l}`) : ['- (nothing from the facts)']), '',
    '### Actions', '', ...pm.actions.map((l) => `- [ ] ${l} (owner: , due: )`), '',
  );
  return out.join('\n');
}

export function doubleExecutionLine(r: RunReport): string {
  const d = r.doubleExecution;
  if (!d.measured) return 'not measured (no guard ledger given: `pra report RUN --ledger FILE...`)';
  return `${duration(d.windowMs)} over ${d.overlaps.length} overlapping pair(s); ${d.executions} executions in ${d.ledgers.length} guard ledger(s)${d.malformedLines ? `, ${d.malformedLines} malformed line(s)` : ''}`;
}
