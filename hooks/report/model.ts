import type { AuditResult } from '../audit/audit';
import type { JournalEntry } from '../engine/events';
import type { ExecutionState, StepStatus } from '../engine/execution';
import { timelineOf, type PhaseSpan } from '../engine/timeline';
import { postMortemOf, type PostMortem } from './post-mortem';

/**
 * Everything a run's report shows, from its journal (and optionally the guard ledgers' audit): the JSON
 * format is this object; Markdown and HTML render it. Times are milliseconds from the run's start unless
 * named `...At` (ISO 8601). The journal holds no secrets, and nothing else is read.
 */
export interface RunReport {
  readonly run: {
    readonly id: string;
    readonly plan: string;
    readonly from: string;
    readonly to: string;
    readonly state: ExecutionState;
    /** Who started, approved, resumed or rolled back the run, in order of appearance. */
    readonly operators: readonly string[];
    readonly startedAt: string;
    readonly endedAt?: string;
    readonly totalMs: number;
    readonly rtoMinutes: number;
    readonly rtoMet: boolean;
    /** RTO budget minus duration: negative when missed. */
    readonly rtoMarginMs: number;
  };
  readonly phases: readonly PhaseSpan[];
  readonly steps: readonly { readonly id: string; readonly phase: string; readonly title: string; readonly status: StepStatus; readonly attempts: number; readonly startMs?: number; readonly endMs?: number; readonly error?: string }[];
  readonly approvals: readonly { readonly gate: string; readonly step: string; readonly requestedAt: string; readonly waitMs?: number; readonly decision?: { readonly approved: boolean; readonly by: string; readonly comment: string; readonly at: string } }[];
  readonly handover: { readonly fence?: { readonly epoch: number; readonly atMs: number }; readonly grant?: { readonly epoch: number; readonly atMs: number }; readonly drainMs?: number; readonly tokenNowhereMs?: number };
  readonly bootWindows: readonly { readonly vm: string; readonly ms: number }[];
  readonly incidents: readonly Incident[];
  readonly doubleExecution: DoubleExecution;
  readonly postMortem: PostMortem;
}

export interface Incident {
  readonly atMs: number;
  readonly kind: 'retry' | 'failure' | 'pause' | 'resume' | 'rollback' | 'undo-failed';
  readonly step?: string;
  readonly system?: string;
  readonly message: string;
}

export type DoubleExecution =
  | { readonly measured: false }
  | {
      readonly measured: true;
      readonly ledgers: readonly string[];
      readonly executions: number;
      readonly windowMs: number;
      readonly overlaps: readonly { readonly job: string; readonly sites: string; readonly start: string; readonly ms: number }[];
      readonly malformedLines: number;
    };

function incidentOf(e: JournalEntry, atMs: number): Incident | undefined {
  switch (e.type) {
    case 'step.retried':
      return { atMs, kind: 'retry', step: e.step, system: e.system, message: `attempt ${e.attempt} failed, retried after ${e.delayMs} ms: ${e.error}` };
    case 'step.failed':
      return { atMs, kind: 'failure', step: e.step, system: e.system, message: e.error };
    case 'run.paused':
      return { atMs, kind: 'pause', step: e.step, message: e.message };
    case 'run.resumed':
      return { atMs, kind: 'resume', message: `resumed by ${e.by} on ${e.host}${e.tookOverFrom ? `, taking the run over from ${e.tookOverFrom}` : ''}` };
    case 'rollback.started':
      return { atMs, kind: 'rollback', message: `rollback by ${e.by}: ${e.reason}` };
    case 'undo.failed':
      return { atMs, kind: 'undo-failed', step: e.step, message: e.error };
    default:
      return undefined;
  }
}

function epochOf(output: unknown): number | undefined {
  const epoch = (output as { epoch?: unknown } | undefined)?.epoch;
  return typeof epoch === 'number' ? epoch : undefined;
}

/** `audit` is the guard ledgers' audit over the run's window, when ledgers were given. */
export function reportOf(entries: readonly JournalEntry[], audit?: AuditResult): RunReport {
  const timeline = timelineOf(entries);
  const { view } = timeline;
  const t0 = Date.parse(view.started.ts);
  const rel = (iso?: string) => (iso === undefined ? undefined : Date.parse(iso) - t0);
  const operators = new Set([view.started.operator]);
  const incidents: Incident[] = [];
  for (const e of entries) {
    if (e.type === 'approval.given' || e.type === 'approval.declined' || e.type === 'rollback.started' || e.type === 'run.resumed') operators.add(e.by);
    const incident = incidentOf(e, rel(e.ts)!);
    if (incident) incidents.push(incident);
  }
  const stepById = new Map(view.steps.map((s) => [s.id, s]));
  const fence = stepById.get('handover.fence');
  const grant = stepById.get('handover.grant');
  const drain = stepById.get('handover.drain');
  const fenceEpoch = epochOf(fence?.output);
  const grantEpoch = epochOf(grant?.output);
  const fenceAtMs = fenceEpoch === undefined ? undefined : rel(fence!.endedAt);
  const grantAtMs = grantEpoch === undefined ? undefined : rel(grant!.endedAt);
  const budgetMs = view.started.rtoMinutes * 60_000;
  const report = {
    run: {
      id: view.id,
      plan: view.started.plan,
      from: view.started.direction.from,
      to: view.started.direction.to,
      state: view.state,
      operators: [...operators],
      startedAt: view.started.ts,
      endedAt: view.endedAt,
      totalMs: timeline.totalMs,
      rtoMinutes: view.started.rtoMinutes,
      rtoMet: timeline.rtoMet,
      rtoMarginMs: budgetMs - timeline.totalMs,
    },
    phases: timeline.phases,
    // A gate step starts when its approval is asked: the runner journals no step.started for it.
    steps: view.steps.map((s) => ({ id: s.id, phase: s.phase, title: s.title, status: s.status, attempts: s.attempts, startMs: rel(s.startedAt ?? view.approvals.find((a) => a.step === s.id)?.requestedAt), endMs: rel(s.endedAt), error: s.error })),
    approvals: view.approvals.map((a) => ({ ...a, waitMs: a.decision ? Date.parse(a.decision.at) - Date.parse(a.requestedAt) : undefined })),
    handover: {
      fence: fenceEpoch !== undefined ? { epoch: fenceEpoch, atMs: fenceAtMs! } : undefined,
      grant: grantEpoch !== undefined ? { epoch: grantEpoch, atMs: grantAtMs! } : undefined,
      drainMs: drain?.startedAt && drain.endedAt ? Date.parse(drain.endedAt) - Date.parse(drain.startedAt) : undefined,
      // From the fence's confirmation to the grant's: no site held the token.
      tokenNowhereMs: fenceAtMs !== undefined && grantAtMs !== undefined ? grantAtMs - fenceAtMs : undefined,
    },
    bootWindows: timeline.bootWindows,
    incidents,
    doubleExecution: doubleExecutionOf(audit),
  };
  return { ...report, postMortem: postMortemOf(report) };
}

function doubleExecutionOf(audit?: AuditResult): DoubleExecution {
  if (!audit) return { measured: false };
  return {
    measured: true,
    ledgers: audit.sources.map((s) => s.file),
    executions: audit.executions.length,
    windowMs: audit.overlap.windowMs,
    overlaps: audit.overlap.overlaps.map((o) => ({ job: o.job, sites: `${o.a.site} (${o.a.host}) + ${o.b.site} (${o.b.host})`, start: new Date(o.start).toISOString(), ms: o.ms })),
    malformedLines: audit.malformed.length,
  };
}
