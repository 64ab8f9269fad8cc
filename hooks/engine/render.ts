import type { JournalEntry } from './events';

/**
 * Turns journal events into what the operator reads. Steps never print: the runner journals, a renderer
 * subscribes. `json` streams the events themselves; `plain` writes one line per event (logs, no TTY);
 * `tty` adds the elapsed time against the RTO budget on every line.
 */
export type RenderMode = 'tty' | 'plain' | 'json';

function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

function line(e: JournalEntry): string | undefined {
  switch (e.type) {
    case 'run.started':
      return `run ${e.run}: ${e.plan} by ${e.operator} (${e.steps.length} steps, RTO ${e.rtoMinutes} min)`;
    case 'step.started':
      return `${e.step}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}: ${e.description}`;
    case 'step.skipped':
      return `${e.step}: skipped, ${e.reason}`;
    case 'step.succeeded':
      return `${e.step}: done`;
    case 'step.retried':
      return `${e.step}: retry in ${e.delayMs} ms after: ${e.error}`;
    case 'step.failed':
      return `${e.step}: FAILED: ${e.error}`;
    case 'step.progress':
      return `${e.step}: ${e.message}`;
    case 'approval.requested':
      return `waiting for approval ${e.gate}: ${e.prompt} (pra approve ${e.run} --gate ${e.gate} --by NAME --comment TEXT)`;
    case 'approval.given':
      return `approval ${e.gate} given by ${e.by}: ${e.comment}`;
    case 'approval.declined':
      return `approval ${e.gate} declined by ${e.by}: ${e.comment}`;
    case 'run.paused':
      return `run paused (${e.reason === 'failedStep' ? 'failed step' : 'operator'}): ${e.message}`;
    case 'run.resumed':
      return `run resumed by ${e.by} on ${e.host}`;
    case 'rollback.started':
      return `rollback started by ${e.by}: ${e.reason}`;
    case 'undo.started':
      return `${e.step}: undo`;
    case 'undo.succeeded':
      return `${e.step}: undone`;
    case 'undo.failed':
      return `${e.step}: UNDO FAILED: ${e.error}`;
    case 'run.completed':
      return 'run completed';
    case 'run.rolledBack':
      return 'run rolled back';
    default:
      return undefined;
  }
}

export function renderer(mode: RenderMode, out: NodeJS.WritableStream): (e: JournalEntry) => void {
  let startedAt: number | undefined;
  let rtoMs = 0;
  let phase = '';
  const phases = new Map<string, string>();
  return (e) => {
    if (mode === 'json') {
      out.write(`${JSON.stringify(e)}\n`);
      return;
    }
    if (e.type === 'run.started') {
      startedAt = Date.parse(e.ts);
      rtoMs = e.rtoMinutes * 60_000;
      for (const s of e.steps) phases.set(s.id, s.phase);
    }
    const text = line(e);
    if (text === undefined) return;
    const elapsed = startedAt === undefined ? 0 : Date.parse(e.ts) - startedAt;
    if (mode === 'plain') {
      out.write(`${e.ts} ${text}\n`);
      return;
    }
    const stepPhase = 'step' in e && e.step ? phases.get(e.step) : undefined;
    if (stepPhase && stepPhase !== phase) {
      phase = stepPhase;
      out.write(`-- phase ${phase} --\n`);
    }
    const over = rtoMs && elapsed > rtoMs ? ' OVER RTO' : '';
    out.write(`[${clock(elapsed)}/${clock(rtoMs)}${over}] ${text}\n`);
  };
}
