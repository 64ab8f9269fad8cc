import { TimeoutError, TransientError } from './errors';

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RetryOptions {
  /** Total attempts, the first included. @default 5 */
  readonly attempts?: number;
  /** First backoff delay; doubles each retry, with full jitter. @default 200 */
  readonly baseDelayMs?: number;
  /** Cap of one backoff delay. @default 5000 */
  readonly maxDelayMs?: number;
  /** Overall bound across attempts and delays; then the last error is surfaced. @default none */
  readonly deadlineMs?: number;
  readonly sleep?: Sleep;
  readonly random?: () => number;
  /** Which errors may heal on a new attempt. @default a TransientError */
  readonly retryable?: (error: unknown) => boolean;
  readonly onRetry?: (error: Error, attempt: number, delayMs: number) => void;
}

/**
 * Runs `fn`, retrying only `TransientError`s (network, 5xx, timeouts; or what `retryable` accepts) with jittered
 * exponential backoff. Every other error is surfaced at once: the caller knows it will not heal by itself.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 5;
  const base = options.baseDelayMs ?? 200;
  const cap = options.maxDelayMs ?? 5000;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const retryable = options.retryable ?? ((error: unknown) => error instanceof TransientError);
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (!retryable(error) || attempt >= attempts) throw error;
      const delay = Math.round(random() * Math.min(cap, base * 2 ** (attempt - 1)));
      if (options.deadlineMs !== undefined && Date.now() - started + delay > options.deadlineMs) throw error;
      options.onRetry?.(error as Error, attempt, delay);
      await sleep(delay);
    }
  }
}

/** Rejects with a `TimeoutError` naming `what` when `promise` does not settle within `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, system: string, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(system, `${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Polls `probe` until it returns a value other than `undefined`, or throws a `TimeoutError`.
 * Used for task waits and state convergence.
 */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined>,
  opts: { timeoutMs: number; intervalMs: number; system: string; what: string; sleep?: Sleep },
): Promise<T> {
  const sleep = opts.sleep ?? realSleep;
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new TimeoutError(opts.system, `${opts.what} not reached within ${opts.timeoutMs} ms`);
    await sleep(opts.intervalMs);
  }
}
