import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTopologyInput } from '../topology/generate';
import { elapsedMs, median } from './latency';

/**
 * Synthesis benchmark: generated topologies synthesized by the compiled app (`node dist/main.js`, as
 * `cdktf synth` runs it), one child process per run so wall time and peak RSS are the real ones.
 * Usage: node dist/bench/synth.js [--runs N] [VM_COUNT...]   (default: 5 runs of 4, 500 and 2000 VMs)
 */
const TARGET_SECONDS: Record<number, number> = { 500: 2, 2000: 5 };
const MAIN = join(__dirname, '..', 'main.js');
const REPORTER = join(__dirname, 'rss-reporter.js');

interface Run {
  readonly seconds: number;
  readonly peakRssMiB: number;
}

function synthOnce(dir: string, topologyFile: string): Run {
  const rssFile = join(dir, 'rss');
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, ['--require', REPORTER, MAIN], {
    cwd: dir,
    env: { ...process.env, PRA_TOPOLOGY: topologyFile, PRA_BENCH_RSS_FILE: rssFile, CDKTF_OUTDIR: join(dir, 'cdktf.out') },
    encoding: 'utf8',
  });
  const seconds = elapsedMs(started) / 1000;
  if (child.status !== 0) throw new Error(`synth failed (exit ${child.status}): ${child.stderr}`);
  return { seconds, peakRssMiB: Number(readFileSync(rssFile, 'utf8')) / 1024 };
}

function benchmark(vms: number, runs: number): Run[] {
  const dir = mkdtempSync(join(tmpdir(), 'pra-bench-synth-'));
  try {
    const topologyFile = join(dir, `generated-${vms}.json`);
    writeFileSync(topologyFile, JSON.stringify(generateTopologyInput({ vms })));
    return Array.from({ length: runs }, () => synthOnce(dir, topologyFile));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parseArgs(argv: readonly string[]): { runs: number; sizes: number[] } {
  let runs = 5;
  const sizes: number[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') runs = Number(argv[++i]);
    else sizes.push(Number(argv[i]));
  }
  if (!Number.isInteger(runs) || runs < 1 || sizes.some((n) => !Number.isInteger(n) || n < 2)) {
    throw new Error('usage: node dist/bench/synth.js [--runs N] [VM_COUNT...] (VM counts >= 2)');
  }
  return { runs, sizes: sizes.length ? sizes : [4, 500, 2000] };
}

function main(): void {
  const { runs, sizes } = parseArgs(process.argv.slice(2));
  process.stdout.write(`Synthesis of generated topologies, compiled JS, ${runs} runs each (node ${process.version})\n\n`);
  process.stdout.write('| VMs | wall median (s) | wall min-max (s) | peak RSS max (MiB) | target |\n|---:|---:|---:|---:|---|\n');
  for (const vms of sizes) {
    const results = benchmark(vms, runs);
    const walls = results.map((r) => r.seconds);
    const target = TARGET_SECONDS[vms];
    const verdict = target === undefined ? '-' : `< ${target} s: ${median(walls) < target ? 'met' : 'MISSED'}`;
    const row = [vms, median(walls).toFixed(2), `${Math.min(...walls).toFixed(2)}-${Math.max(...walls).toFixed(2)}`, Math.max(...results.map((r) => r.peakRssMiB)).toFixed(0), verdict];
    process.stdout.write(`| ${row.join(' | ')} |\n`);
  }
}

main();
