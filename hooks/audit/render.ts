import type { AuditResult } from './audit';

const iso = (ms: number) => new Date(ms).toISOString();

/** The audit as plain text: every overlap, malformed line, missed minute and replay, one per line. */
export function renderAudit(r: AuditResult): string {
  const ledgers = r.sources.filter((s) => s.kind === 'ledger');
  const syslogs = r.sources.filter((s) => s.kind === 'syslog');
  const count = (list: readonly { lines: number }[]) => list.reduce((n, s) => n + s.lines, 0);
  const jobs = new Set(r.executions.map((e) => e.job));
  const sites = new Set(r.executions.map((e) => e.site));
  const out = [
    `audit: ${ledgers.length} ledger file(s) (${count(ledgers)} lines), ${syslogs.length} syslog file(s) (${count(syslogs)} lines)`,
    r.window ? `window: ${iso(r.window.from)} -> ${iso(r.window.to)} (wall clock ${r.timeZone})` : 'window: empty (no lines)',
    `executions: ${r.executions.length} of ${jobs.size} job(s) on ${sites.size} site(s)${r.overlap.unfinished ? `, ${r.overlap.unfinished} without an end (counted as running until the window's end)` : ''}`,
  ];
  if (r.syslog.guarded) out.push(`syslog: ${r.syslog.guarded} CMD line(s) of pra-guard-wrapped commands left to the ledgers`);
  if (r.syslog.assumedEnds) out.push(`syslog: ${r.syslog.assumedEnds} execution(s) without an END or session-closed line, taken to end with their start minute`);
  out.push(`malformed lines: ${r.malformed.length}`, ...r.malformed.map((m) => `  ${m.where}: ${m.problem}`));
  out.push(
    r.overlap.overlaps.length
      ? `OVERLAPS: ${r.overlap.overlaps.length}; double-execution window ${r.overlap.windowMs} ms`
      : 'overlaps: none; double-execution window 0 ms',
    ...r.overlap.overlaps.map(
      (o) => `  ${o.job}  ${o.a.site} (${o.a.host}) + ${o.b.site} (${o.b.host})  ${iso(o.start)} -> ${iso(o.end)}  ${o.ms} ms  [${o.a.source ?? '?'}, ${o.b.source ?? '?'}]`,
    ),
  );
  out.push(
    r.missed.length ? `MISSED: ${r.missed.length} scheduled minute(s) in which the job ran on no site (re-run by hand if needed)` : 'missed: none',
    ...r.missed.map((m) => {
      const seen = m.decisions.length ? m.decisions.map((d) => `${d.site || '?'} ${d.decision} ${d.reason}`).join('; ') : 'no guard decision logged (VM off, clock step, cron down)';
      return `  ${m.job}  ${m.local} (${iso(m.minute)})  '${m.schedule}'  ${seen}`;
    }),
  );
  if (r.unscheduledJobs.length) out.push(`  (not checked, no schedule= in the ledger: ${r.unscheduledJobs.join(', ')})`);
  out.push(
    r.replays.length ? `replays marked by the guard: ${r.replays.length}` : 'replays marked by the guard: none',
    ...r.replays.map((p) => `  ${p.job}  ${p.site} (${p.host})  ${iso(p.at)}  ${p.decision}  [${p.where}]`),
  );
  return `${out.join('\n')}\n`;
}
