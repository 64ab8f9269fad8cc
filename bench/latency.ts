/** Sequential latency measurement shared by the per-operation benchmarks: ROUNDS runs, p50 / p95 / max printed. */
export function roundsFromArgv(argv: readonly string[] = process.argv, fallback = 20): number {
  return Math.min(Math.max(Number(argv[2] ?? fallback), 1), 200);
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The sample at quantile `q` (0..1) of the sorted values, nearest rank below (the maximum at q = 1). */
export function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Milliseconds since `started`, a `process.hrtime.bigint()` reading. */
export function elapsedMs(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e6;
}

export async function measureLatency(name: string, rounds: number, op: (i: number) => Promise<unknown>, width = 50): Promise<void> {
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    await op(i);
    samples.push(performance.now() - started);
  }
  const at = (q: number) => percentile(samples, q).toFixed(1);
  process.stdout.write(`${name.padEnd(width)} p50 ${at(0.5).padStart(7)} ms   p95 ${at(0.95).padStart(7)} ms   max ${at(1).padStart(7)} ms\n`);
}
