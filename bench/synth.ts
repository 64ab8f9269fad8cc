import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTopologyInput } from '../topology/generate';
import type { BareInput } from './bare-cdktf';
import { median } from './latency';
import { timedChild, type ChildRun } from './timed-child';

/**
 * Synthesis benchmark: generated topologies synthesized by the compiled app (`node dist/main.js`, as
 * `cdktf synth` runs it), one child process per run so wall time and peak RSS are the real ones. Each run
 * is paired with the bare baseline (bench/bare-cdktf.ts: plain cdktf declaring the same VMs with the same
 * extra_config in the same two site stacks), alternating, so the ratio is measured under the same load.
 * Usage: node dist/bench/synth.js [--runs N] [VM_COUNT...]   (default: 5 runs of 4, 500 and 2000 VMs)
 */
const TARGET_SECONDS: Record<number, number> = { 500: 2, 2000: 5 };
/** The app's synth at most this many times the bare baseline's (issue 15). */
const TARGET_RATIO: Record<number, number> = { 2000: 1.5 };
const MAIN = join(__dirname, '..', 'main.js');
const BARE = join(__dirname, 'bare-cdktf.js');

function checkedChild(dir: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildRun {
  const run = timedChild(dir, args, env);
  if (run.status !== 0) throw new Error(`${args.join(' ')} failed (exit ${run.status}): ${run.stderr}`);
  return run;
}

const synthApp = (dir: string, topologyFile: string) => checkedChild(dir, [MAIN], { PRA_TOPOLOGY: topologyFile, CDKTF_OUTDIR: join(dir, 'cdktf.out') });

/** The baseline's input: every site stack's VMs and locals exactly as the app synthesized them. */
function bareInput(outdir: string): BareInput {
  const stacks: Record<string, BareInput['stacks'][string]> = {};
  for (const id of readdirSync(join(outdir, 'stacks')).filter((s) => s.startsWith('site-'))) {
    const json = JSON.parse(readFileSync(join(outdir, 'stacks', id, 'cdk.tf.json'), 'utf8'));
    stacks[id] = { locals: json.locals ?? {}, vms: json.resource.vsphere_virtual_machine };
  }
  return { stacks };
}

function benchmark(vms: number, runs: number): { app: ChildRun[]; bare: ChildRun[] } {
  const dir = mkdtempSync(join(tmpdir(), 'pra-bench-synth-'));
  try {
    const topologyFile = join(dir, `generated-${vms}.json`);
    writeFileSync(topologyFile, JSON.stringify(generateTopologyInput({ vms })));
    synthApp(dir, topologyFile); // warm-up, and the baseline's input
    const inputFile = join(dir, 'bare-input.json');
    writeFileSync(inputFile, JSON.stringify(bareInput(join(dir, 'cdktf.out'))));
    const app: ChildRun[] = [];
    const bare: ChildRun[] = [];
    for (let i = 0; i < runs; i++) {
      app.push(synthApp(dir, topologyFile));
      bare.push(checkedChild(dir, [BARE, inputFile, join(dir, 'bare.out')]));
    }
    return { app, bare };
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
  process.stdout.write('| VMs | wall median (s) | wall min-max (s) | peak RSS max (MiB) | target | bare cdktf median (s) | app / bare | target | CPU app / bare (s) |\n|---:|---:|---:|---:|---|---:|---:|---|---|\n');
  for (const vms of sizes) {
    const { app, bare } = benchmark(vms, runs);
    const walls = app.map((r) => r.seconds);
    const target = TARGET_SECONDS[vms];
    const verdict = target === undefined ? '-' : `< ${target} s: ${median(walls) < target ? 'met' : 'MISSED'}`;
    const bareMedian = median(bare.map((r) => r.seconds));
    const ratio = median(walls) / bareMedian;
    const ratioTarget = TARGET_RATIO[vms];
    const ratioVerdict = ratioTarget === undefined ? '-' : `<= ${ratioTarget}x: ${ratio <= ratioTarget ? 'met' : 'MISSED'}`;
    const cpu = [app, bare].map((runs) => median(runs.map((r) => r.cpuSeconds)));
    const row = [vms, median(walls).toFixed(2), `${Math.min(...walls).toFixed(2)}-${Math.max(...walls).toFixed(2)}`, Math.max(...app.map((r) => r.peakRssMiB)).toFixed(0), verdict, bareMedian.toFixed(2), `${ratio.toFixed(2)}x`, ratioVerdict, `${cpu[0].toFixed(2)} / ${cpu[1].toFixed(2)} = ${(cpu[0] / cpu[1]).toFixed(2)}x`];
    process.stdout.write(`| ${row.join(' | ')} |\n`);
  }
}

main();
