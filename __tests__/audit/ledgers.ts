import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Hand-made guard ledger lines (docs/guard.md grammar), for audit and report tests. */
export interface LineSpec {
  readonly ts: string;
  readonly site: string;
  readonly job: string;
  readonly decision: 'allow' | 'deny' | 'replay-allow' | 'replay-deny' | 'end';
  readonly id: string;
  readonly epoch?: number;
  readonly reason?: string;
  readonly schedule?: string;
}

export function ledgerLine(l: LineSpec): string {
  const fields = [
    `ts=${l.ts}`, `host=vm-${l.site}`, `site=${l.site}`, `job=${l.job}`, `decision=${l.decision}`, `epoch=${l.epoch ?? 1}`,
    `reason=${l.reason ?? (l.decision === 'end' ? 'exit' : l.decision.endsWith('deny') ? 'active-elsewhere:file=none@2' : 'active')}`,
    'pid=100', `id=${l.id}`, 'mode=run',
    ...(l.schedule ? [`schedule=${l.schedule}`] : []),
    ...(l.decision === 'end' ? ['duration_ms=1', 'exit=0', 'job_pid=101'] : []),
  ];
  return fields.join('\t');
}

/** One execution: its allow line and its end line. */
export function ran(site: string, job: string, start: string, end: string, id: string, schedule?: string): LineSpec[] {
  return [
    { ts: start, site, job, decision: 'allow', id, schedule },
    { ts: end, site, job, decision: 'end', id, schedule },
  ];
}

export function writeLedger(dir: string, name: string, lines: readonly (LineSpec | string)[]): string {
  const file = join(dir, name);
  writeFileSync(file, lines.map((l) => (typeof l === 'string' ? l : ledgerLine(l))).join('\n') + '\n');
  return file;
}
