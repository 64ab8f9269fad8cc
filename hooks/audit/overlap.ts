/**
 * Double execution, measured: two executions of the same job on different sites whose run times overlap.
 * Shared by the drill (its job ledger) and `pra audit` (the guards' ledgers and cron syslog).
 */
export interface Execution {
  readonly job: string;
  readonly site: string;
  readonly host: string;
  /** Epoch milliseconds. */
  readonly start: number;
  /** Epoch milliseconds; undefined while (or if) the execution never ended. */
  readonly end?: number;
  readonly epoch?: string;
  /** Where it was read (`file:line`), so an operator can find it. */
  readonly source?: string;
}

export interface Overlap {
  readonly job: string;
  readonly a: Execution;
  readonly b: Execution;
  readonly start: number;
  readonly end: number;
  readonly ms: number;
}

export interface OverlapReport {
  readonly overlaps: Overlap[];
  /** Total time during which some job ran on two sites at once (overlapping overlaps counted once). */
  readonly windowMs: number;
  readonly executions: number;
  /** Executions without an end, counted as running until `horizon`. */
  readonly unfinished: number;
}

/** `horizon` closes executions that never ended (a VM stopped mid-job is the hazard, not an excuse). */
export function findOverlaps(executions: readonly Execution[], horizon: number): OverlapReport {
  const byJob = new Map<string, Execution[]>();
  for (const e of executions) {
    const list = byJob.get(e.job);
    if (list) list.push(e);
    else byJob.set(e.job, [e]);
  }
  const overlaps: Overlap[] = [];
  for (const [job, sorted] of byJob) {
    sorted.sort((x, y) => x.start - y.start);
    sorted.forEach((a, i) => {
      const aEnd = a.end ?? horizon;
      for (let j = i + 1; j < sorted.length; j++) {
        const b = sorted[j];
        if (b.start >= aEnd) break;
        if (b.site === a.site) continue;
        const end = Math.min(aEnd, b.end ?? horizon);
        overlaps.push({ job, a, b, start: b.start, end, ms: end - b.start });
      }
    });
  }
  return {
    overlaps,
    windowMs: unionLength(overlaps.map((o) => [o.start, o.end] as const)),
    executions: executions.length,
    unfinished: executions.filter((e) => e.end === undefined).length,
  };
}

function unionLength(intervals: readonly (readonly [number, number])[]): number {
  let total = 0;
  let current: [number, number] | undefined;
  for (const [s, e] of [...intervals].sort((x, y) => x[0] - y[0])) {
    if (current && s <= current[1]) current[1] = Math.max(current[1], e);
    else {
      if (current) total += current[1] - current[0];
      current = [s, e];
    }
  }
  return total + (current ? current[1] - current[0] : 0);
}
