import { toError } from '../common/errors';

/**
 * Health probes used by the validation phases: each returns a structured result and never throws for
 * a failed check (a refused port, a 500, a missing schema are findings, not crashes); only misuse
 * (an impossible configuration) throws. Details never carry credentials.
 */
export interface ProbeResult {
  readonly ok: boolean;
  /** Time from the start of the probe to its verdict, in milliseconds. */
  readonly latencyMs: number;
  /** One line for the operator and the journal: what was checked and what was found. */
  readonly detail: string;
}

export type Clock = () => number;
export const monotonicClock: Clock = () => performance.now();

/** Times `check` and stamps its verdict with the latency; a thrown error becomes a failed result. */
export async function timed<R extends Omit<ProbeResult, 'latencyMs'>>(
  clock: Clock,
  check: () => Promise<R>,
  onError: (error: Error) => R,
): Promise<R & { latencyMs: number }> {
  const started = clock();
  let verdict: R;
  try {
    verdict = await check();
  } catch (error) {
    verdict = onError(toError(error));
  }
  return { ...verdict, latencyMs: Math.round((clock() - started) * 10) / 10 };
}
