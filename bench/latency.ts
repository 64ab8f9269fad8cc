/** Sequential latency measurement shared by the per-operation benchmarks: ROUNDS runs, p50 / p95 / max printed. */
export function roundsFromArgv(argv: readonly string[] = process.argv, fallback = 20): number {
  return Math.min(Math.max(Number(argv[2] ?? fallback), 1), 200);
}

export async function measureLatency(name: string, rounds: number, op: (i: number) => Promise<unknown>, width = 50): Promise<void> {
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    await op(i);
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))].toFixed(1);
  process.stdout.write(`${name.padEnd(width)} p50 ${at(0.5).padStart(7)} ms   p95 ${at(0.95).padStart(7)} ms   max ${samples[samples.length - 1].toFixed(1).padStart(7)} ms\n`);
}
