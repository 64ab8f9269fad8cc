import type { JournalEntry } from './events';
import { replay, type RunView } from './execution';

/** A run's timeline, from its journal: what the drill summary and the report show. */
export interface PhaseSpan {
  readonly phase: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly steps: number;
}

export interface Timeline {
  readonly view: RunView;
  readonly phases: PhaseSpan[];
  readonly bootWindows: { readonly vm: string; readonly ms: number }[];
  readonly retries: number;
  /** Run start to last event, milliseconds. */
  readonly totalMs: number;
  readonly rtoMet: boolean;
}

export function timelineOf(entries: readonly JournalEntry[]): Timeline {
  const view = replay(entries);
  const t0 = Date.parse(view.started.ts);
  const phaseOf = new Map(view.started.steps.map((s) => [s.id, s.phase]));
  const spans = new Map<string, { startMs: number; endMs: number; steps: Set<string> }>();
  const bootWindows: { vm: string; ms: number }[] = [];
  let retries = 0;
  for (const e of entries) {
    if (!('step' in e) || !e.step) continue;
    const phase = phaseOf.get(e.step);
    if (!phase) continue;
    const at = Date.parse(e.ts) - t0;
    const span = spans.get(phase) ?? { startMs: at, endMs: at, steps: new Set<string>() };
    span.endMs = Math.max(span.endMs, at);
    span.steps.add(e.step);
    spans.set(phase, span);
    if (e.type === 'step.retried') retries++;
    const window = e.type === 'step.progress' ? (e.data as { bootWindow?: { vm: string; ms: number } } | undefined)?.bootWindow : undefined;
    if (window) bootWindows.push({ vm: window.vm, ms: window.ms });
  }
  const totalMs = Date.parse(view.lastEventAt) - t0;
  return {
    view,
    phases: [...spans].map(([phase, s]) => ({ phase, startMs: s.startMs, endMs: s.endMs, steps: s.steps.size })),
    bootWindows,
    retries,
    totalMs,
    rtoMet: totalMs <= view.started.rtoMinutes * 60_000,
  };
}
