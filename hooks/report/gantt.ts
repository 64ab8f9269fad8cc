import type { RunReport } from './model';
import { duration } from './post-mortem';

/** One color per phase of the failback plan (Tableau 10): the HTML test looks for these pixels. */
export const PHASE_COLORS: Readonly<Record<string, string>> = {
  preflight: '#4e79a7',
  restore: '#f28e2b',
  validation: '#76b7b2',
  activation: '#59a14f',
  switch: '#edc948',
  handover: '#b07aa1',
  commit: '#e15759',
};
const OTHER_COLOR = '#9c755f';
const MARK_COLORS: Record<string, string> = { retry: '#f28e2b', failure: '#d62728', pause: '#d62728', resume: '#2ca02c', rollback: '#7f3c8d', 'undo-failed': '#d62728' };

export const phaseColor = (phase: string) => PHASE_COLORS[phase] ?? OTHER_COLOR;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Round tick step (1, 2, 5 x 10^n ms) giving about six ticks over `span`. */
function tickStep(span: number): number {
  const raw = Math.max(span / 6, 1);
  const pow = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw)!;
}

const LABEL = 230;
const CHART = 720;
const ROW = 20;

/**
 * The run as an inline SVG Gantt chart: a row per phase (thick) followed by its steps (thin), incidents as
 * marks on their step's row, the RTO deadline as a red line when it falls inside the chart. Scaled to the
 * run, so a 7-second drill and a 25-minute failback are both readable; the budget bar above shows the RTO.
 */
export function ganttSvg(r: RunReport): string {
  const span = Math.max(r.run.totalMs, 1);
  const rtoMs = r.run.rtoMinutes * 60_000;
  const end = rtoMs <= span * 1.25 ? Math.max(span, rtoMs) * 1.02 : span * 1.02;
  const x = (ms: number) => LABEL + (Math.max(0, ms) / end) * CHART;
  const rows: string[] = [];
  let y = 28;
  const stepRow = new Map<string, number>();
  for (const phase of r.phases) {
    const color = phaseColor(phase.phase);
    rows.push(
      `<text x="4" y="${y + 14}" class="phase">${escapeXml(phase.phase)}</text>`,
      `<rect x="${x(phase.startMs).toFixed(1)}" y="${y + 2}" width="${Math.max(3, x(phase.endMs) - x(phase.startMs)).toFixed(1)}" height="${ROW - 4}" fill="${color}"><title>${escapeXml(`${phase.phase}: ${duration(phase.endMs - phase.startMs)}`)}</title></rect>`,
    );
    y += ROW;
    for (const s of r.steps.filter((st) => st.phase === phase.phase && st.startMs !== undefined)) {
      const stop = s.endMs ?? r.run.totalMs;
      const failed = s.status === 'failed' || s.status === 'undoFailed';
      rows.push(
        `<text x="16" y="${y + 13}" class="step">${escapeXml(s.id)}</text>`,
        `<rect x="${x(s.startMs!).toFixed(1)}" y="${y + 5}" width="${Math.max(3, x(stop) - x(s.startMs!)).toFixed(1)}" height="${ROW - 10}" fill="${color}" fill-opacity="0.55" stroke="${failed ? '#d62728' : color}"><title>${escapeXml(`${s.id} (${s.status}${s.attempts > 1 ? `, ${s.attempts} attempts` : ''}): ${duration(stop - s.startMs!)}`)}</title></rect>`,
      );
      stepRow.set(s.id, y);
      y += ROW;
    }
  }
  const marks = r.incidents.map((i) => {
    const rowY = (i.step ? stepRow.get(i.step) : undefined) ?? 28;
    const cx = x(i.atMs);
    return `<path d="M${cx.toFixed(1)} ${rowY + 2} l5 8 l-5 8 l-5 -8 z" fill="${MARK_COLORS[i.kind]}" stroke="#fff"><title>${escapeXml(`+${duration(i.atMs)} ${i.kind}${i.step ? ` ${i.step}` : ''}: ${i.message}`)}</title></path>`;
  });
  const height = y + 10;
  const ticks: string[] = [];
  const step = tickStep(end);
  for (let t = 0; t <= end; t += step) {
    ticks.push(`<line x1="${x(t).toFixed(1)}" y1="22" x2="${x(t).toFixed(1)}" y2="${height - 6}" class="grid"/>`, `<text x="${x(t).toFixed(1)}" y="16" class="tick">${escapeXml(duration(t))}</text>`);
  }
  const rto = rtoMs <= end
    ? `<line x1="${x(rtoMs).toFixed(1)}" y1="18" x2="${x(rtoMs).toFixed(1)}" y2="${height - 6}" class="rto"/><text x="${(x(rtoMs) - 4).toFixed(1)}" y="${height - 8}" class="rto-label">RTO ${r.run.rtoMinutes} min</text>`
    : '';
  return [
    `<svg class="gantt" viewBox="0 0 ${LABEL + CHART + 20} ${height}" role="img" aria-label="Timeline of run ${escapeXml(r.run.id)}" xmlns="http://www.w3.org/2000/svg">`,
    ...ticks, ...rows, ...marks, rto, '</svg>',
  ].join('\n');
}

/** The run against its RTO budget: the whole bar is the budget, the filled part is the run. */
export function budgetSvg(r: RunReport): string {
  const budget = r.run.rtoMinutes * 60_000;
  const used = Math.min(1, r.run.totalMs / budget);
  const color = r.run.rtoMet ? '#59a14f' : '#d62728';
  return [
    `<svg class="budget" viewBox="0 0 970 34" role="img" aria-label="RTO budget" xmlns="http://www.w3.org/2000/svg">`,
    `<rect x="0" y="4" width="970" height="18" fill="#e8e8e8" rx="3"/>`,
    `<rect x="0" y="4" width="${Math.max(4, used * 970).toFixed(1)}" height="18" fill="${color}" rx="3"/>`,
    `<text x="2" y="33" class="edge">0</text><text x="968" y="33" class="edge end">${r.run.rtoMinutes} min</text>`,
    '</svg>',
  ].join('\n');
}
