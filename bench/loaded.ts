import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentEnv, REPO_ROOT, up } from '../testenv/core';
import { allServices } from '../testenv/services';

/**
 * The drill on a loaded machine (issue 11: under a fork-heavy load the handover's drain never ended). Runs
 * `pra drill` once on the machine as it is, then once next to WORKERS shell loops that fork `true` without
 * pause (a fork-heavy load on every core), and prints for each: wall time, exit code, failback duration, the
 * handover phase, retries, double execution, and the 1-minute load average sampled every second.
 * With --tests PATH..., also runs those jest test paths under the same load (once) and prints their result.
 * Usage: node dist/bench/loaded.js [--workers N] [--tests PATH...]   (default 24 workers; starts the testenv)
 * Figures are recorded in bench/results/loaded.md.
 */

interface Outcome {
  readonly label: string;
  readonly code: number | null;
  readonly wallS: number;
  readonly load: { readonly mean: number; readonly max: number };
  readonly detail: string;
}

/** Runs `command` to its end, sampling the load average every second. */
async function timed(label: string, command: readonly string[], describe: (stdout: string, stderr: string) => string): Promise<Outcome> {
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(loadavg()[0]), 1000);
  const started = performance.now();
  const child = spawn(command[0], command.slice(1), { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearInterval(sampler);
  const wallS = (performance.now() - started) / 1000;
  const mean = samples.length ? samples.reduce((a, b) => a + b, 0) / samples.length : loadavg()[0];
  return { label, code, wallS, load: { mean, max: Math.max(...samples, loadavg()[0]) }, detail: describe(stdout, stderr) };
}

/** What `pra drill --json` says about its run. */
function drillDetail(stdout: string, stderr: string): string {
  try {
    const r = JSON.parse(stdout.slice(stdout.indexOf('{')));
    const handover = r.timeline.phases.find((p: { phase: string }) => p.phase === 'handover');
    const handoverS = handover ? ((handover.endMs - handover.startMs) / 1000).toFixed(1) : '-';
    return `failback ${(r.timeline.totalMs / 1000).toFixed(1)} s, handover phase ${handoverS} s, ${r.timeline.retries} retries, double execution ${r.overlap.windowMs} ms, run ${r.runId}`;
  } catch {
    return `no drill result: ${stderr.trim().split('\n').slice(-3).join(' | ')}`;
  }
}

/** The summary line jest prints ("Tests: ..."), the failed tests, and where its whole output was kept. */
function jestDetail(_stdout: string, stderr: string): string {
  const log = join(tmpdir(), `pra-bench-loaded-jest-${Date.now()}.log`);
  writeFileSync(log, stderr);
  const lines = stderr.split('\n');
  const failed = lines.filter((l) => /^\s+● /.test(l)).map((l) => l.trim());
  return [lines.find((l) => l.startsWith('Tests:'))?.trim() ?? 'no jest summary', ...new Set(failed), `output: ${log}`].join('; ');
}

/** WORKERS loops forking `true` as fast as they can; stopped by pid. */
function forkLoad(workers: number): { stop: () => void } {
  const loops: ChildProcess[] = [];
  for (let i = 0; i < workers; i++) loops.push(spawn('sh', ['-c', 'while :; do /bin/true; done'], { stdio: 'ignore' }));
  return { stop: () => loops.forEach((loop) => loop.kill('SIGKILL')) };
}

function print(o: Outcome): void {
  console.log(`| ${o.label} | ${o.code} | ${o.wallS.toFixed(1)} | ${o.load.mean.toFixed(1)} | ${o.load.max.toFixed(1)} | ${o.detail} |`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--workers');
  const workers = at >= 0 ? Math.min(Math.max(Number(args[at + 1]) || 24, 1), 200) : 24;
  const testsAt = args.indexOf('--tests');
  const testPaths = testsAt >= 0 ? args.slice(testsAt + 1).filter((a) => !a.startsWith('--')) : [];
  if (!currentEnv()) await up(allServices);
  const drill = [process.execPath, join(REPO_ROOT, 'dist/hooks/cli/main.js'), 'drill', '--json'];
  console.log(`drill on a loaded machine: ${cpus().length} CPUs, load before ${loadavg().map((l) => l.toFixed(2)).join(' ')}, fork load = ${workers} loops of \`true\`\n`);
  console.log('| run | exit | wall s | load avg mean | load avg max | result |');
  console.log('|---|---:|---:|---:|---:|---|');
  print(await timed('drill, machine as it is', drill, drillDetail));
  const load = forkLoad(workers);
  try {
    await new Promise((r) => setTimeout(r, 5000)); // let the load average climb
    print(await timed(`drill + ${workers} fork loops`, drill, drillDetail));
    if (testPaths.length) print(await timed(`jest ${testPaths.join(' ')} + ${workers} fork loops`, [process.execPath, join(REPO_ROOT, 'node_modules/.bin/jest'), ...testPaths], jestDetail));
  } finally {
    load.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
