import { budgetSvg, escapeXml as esc, ganttSvg, phaseColor } from './gantt';
import { doubleExecutionLine } from './markdown';
import type { RunReport } from './model';
import { duration } from './post-mortem';

/**
 * One self-contained HTML file: inline CSS and SVG, no script, and a Content-Security-Policy that forbids
 * any fetch, so it opens the same offline, from a mail attachment or a ticket. Laid out for a laptop
 * screen; `@media print` keeps tables and the chart whole on paper.
 */
const CSS = `
:root { --fg: #1d2430; --muted: #5b6472; --line: #d9dde3; --ok: #2e7d32; --bad: #c62828; }
* { box-sizing: border-box; }
body { font: 14px/1.45 "DejaVu Sans", system-ui, sans-serif; color: var(--fg); margin: 0; background: #f6f7f9; }
main { max-width: 1040px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
.sub { color: var(--muted); margin: 0 0 16px; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 10px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; }
.card b { display: block; font-size: 18px; }
.card span { color: var(--muted); font-size: 12px; }
.ok { color: var(--ok); } .bad { color: var(--bad); }
table { border-collapse: collapse; width: 100%; margin: 6px 0; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; }
svg { width: 100%; height: auto; display: block; }
svg text { font: 11px "DejaVu Sans", sans-serif; fill: var(--fg); }
svg .phase { font-weight: 700; } svg .step { fill: var(--muted); }
svg .tick { fill: var(--muted); text-anchor: middle; } svg .edge { fill: var(--muted); } svg .edge.end { text-anchor: end; } svg .grid { stroke: #eef0f3; }
svg .rto { stroke: var(--bad); stroke-width: 2; stroke-dasharray: 5 3; } svg .rto-label { fill: var(--bad); text-anchor: end; }
.legend span { display: inline-block; margin-right: 12px; font-size: 12px; }
.legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -2px; border-radius: 2px; }
ul.todo { list-style: none; padding-left: 4px; } ul.todo li::before { content: "\\2610\\00a0"; }
@media print {
  body { background: #fff; } main { max-width: none; padding: 0; }
  h2 { break-after: avoid; } table, svg, .cards { break-inside: avoid; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}`;

const table = (head: readonly string[], rows: readonly (readonly string[])[]) =>
  `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;

const at = (ms: number) => `+${duration(ms)}`;
const list = (items: readonly string[], cls = '') => `<ul${cls ? ` class="${cls}"` : ''}>${items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>`;

export function renderHtml(r: RunReport): string {
  const run = r.run;
  const de = r.doubleExecution;
  const card = (value: string, label: string, cls = '') => `<div class="card"><b class="${cls}">${value}</b><span>${esc(label)}</span></div>`;
  const approvals = r.approvals.length
    ? table(['Gate', 'Decision', 'By', 'At', 'Waited', 'Comment'], r.approvals.map((a) => {
      const d = a.decision;
      return [esc(a.gate), d ? (d.approved ? 'approved' : '<span class="bad">declined</span>') : 'pending', esc(d?.by ?? ''), esc(d?.at ?? ''), a.waitMs === undefined ? '' : duration(a.waitMs), esc(d?.comment ?? '')];
    }))
    : '<p>No approval gate was reached.</p>';
  const h = r.handover;
  const handover = h.fence || h.grant
    ? table(['Event', 'Epoch', 'Confirmed at', 'Detail'], [
      ...(h.fence ? [['fence: token to nobody', String(h.fence.epoch), at(h.fence.atMs), `every ${esc(run.from)} guest saw it or was off`]] : []),
      ...(h.drainMs !== undefined ? [['drain', '', '', `jobs in flight on ${esc(run.from)} ended within ${duration(h.drainMs)}`]] : []),
      ...(h.grant ? [[`grant: token to ${esc(run.to)}`, String(h.grant.epoch), at(h.grant.atMs), h.tokenNowhereMs !== undefined ? `no site could start a job for ${duration(h.tokenNowhereMs)}` : '']] : []),
    ])
    : '<p>The cron handover did not happen in this run.</p>';
  const incidents = r.incidents.length
    ? table(['At', 'Kind', 'Step', 'System', 'Message'], r.incidents.map((i) => [at(i.atMs), esc(i.kind), esc(i.step ?? ''), esc(i.system ?? ''), esc(i.message)]))
    : '<p>None: no retry, no failure, no pause.</p>';
  const overlaps = de.measured && de.overlaps.length ? table(['Job', 'Sites', 'Start', 'Overlap'], de.overlaps.map((o) => [esc(o.job), esc(o.sites), esc(o.start), duration(o.ms)])) : '';
  const pm = r.postMortem;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Failback report ${esc(run.id)}</title>
<style>${CSS}</style></head>
<body><main>
<h1>Failback report: ${esc(run.plan)}</h1>
<p class="sub">Run <code>${esc(run.id)}</code> · ${esc(run.state)} · operator(s) ${esc(run.operators.join(', '))} · ${esc(run.startedAt)} → ${esc(run.endedAt ?? 'not finished')}</p>
<div class="cards">
${card(duration(run.totalMs), 'total duration')}
${card(run.rtoMet ? 'RTO met' : 'RTO MISSED', `${run.rtoMinutes} min budget, margin ${duration(run.rtoMarginMs)}`, run.rtoMet ? 'ok' : 'bad')}
${card(de.measured ? duration(de.windowMs) : 'not measured', 'double execution', de.measured ? (de.windowMs === 0 ? 'ok' : 'bad') : '')}
${card(esc(run.state), `${run.from} → ${run.to}`, run.state === 'completed' ? 'ok' : 'bad')}
</div>
<h2>RTO budget</h2>
${budgetSvg(r)}
<p class="sub">${duration(run.totalMs)} used of ${run.rtoMinutes} min (${((run.totalMs / (run.rtoMinutes * 60_000)) * 100).toFixed(1)} %).</p>
<h2>Timeline</h2>
<p class="legend">${r.phases.map((p) => `<span><i style="background:${phaseColor(p.phase)}"></i>${esc(p.phase)} ${duration(p.endMs - p.startMs)}</span>`).join('')}</p>
${ganttSvg(r)}
<h2>Approvals</h2>
${approvals}
<h2>Cron handover and epochs</h2>
${handover}
<h2>Boot windows (power-on seen → suspended)</h2>
${r.bootWindows.length ? table(['VM', 'Window'], r.bootWindows.map((w) => [esc(w.vm), duration(w.ms)])) : '<p>None recorded.</p>'}
<h2>Retries and faults</h2>
${incidents}
<h2>Double execution</h2>
<p>${esc(doubleExecutionLine(r))}</p>
${overlaps}
<h2>Post-mortem</h2>
<p class="sub">Pre-filled from the journal; edit during the review.</p>
<h3>What went well</h3>${list(pm.wentWell)}
<h3>What to improve</h3>${list(pm.toImprove.length ? pm.toImprove : ['(nothing from the facts)'])}
<h3>Actions</h3>${list(pm.actions, 'todo')}
</main></body></html>
`;
}
