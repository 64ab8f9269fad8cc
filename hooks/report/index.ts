import { auditFiles } from '../audit/audit';
import type { JournalEntry } from '../engine/events';
import { renderHtml } from './html';
import { renderMarkdown } from './markdown';
import { reportOf, type RunReport } from './model';

export type ReportFormat = 'md' | 'html' | 'json';
export const REPORT_FORMATS: readonly ReportFormat[] = ['md', 'html', 'json'];

/**
 * A run's report from its journal; with guard ledgers, the double-execution figure is their audit over the
 * run's window (run start to its last event).
 */
export function buildReport(entries: readonly JournalEntry[], ledgers: readonly string[] = []): RunReport {
  if (!ledgers.length) return reportOf(entries);
  const first = Date.parse(entries[0].ts);
  const last = Date.parse(entries[entries.length - 1].ts);
  return reportOf(entries, auditFiles({ ledgers, from: first, to: last, timeZone: 'UTC' }));
}

export function renderReport(report: RunReport, format: ReportFormat): string {
  if (format === 'html') return renderHtml(report);
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  return renderMarkdown(report);
}

export { journalOf } from '../engine/journal';
