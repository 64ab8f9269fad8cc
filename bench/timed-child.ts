import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { elapsedMs } from './latency';

const REPORTER = join(__dirname, 'rss-reporter.js');

/** One benchmarked child process: its wall time as the parent saw it, its own CPU time and peak RSS. */
export interface ChildRun {
  readonly seconds: number;
  /** User + system CPU time of the child: steadier than wall time on a loaded machine. */
  readonly cpuSeconds: number;
  readonly peakRssMiB: number;
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node ARGS` in `dir` with the RSS/CPU reporter preloaded (bench/rss-reporter.ts). */
export function timedChild(dir: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildRun {
  const usageFile = join(dir, `usage-${process.pid}`);
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, ['--require', REPORTER, ...args], {
    cwd: dir,
    env: { ...process.env, ...env, PRA_BENCH_RSS_FILE: usageFile },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const seconds = elapsedMs(started) / 1000;
  const [rssKiB, cpuMicros] = readFileSync(usageFile, 'utf8').split(' ').map(Number);
  return { seconds, cpuSeconds: cpuMicros / 1e6, peakRssMiB: rssKiB / 1024, status: child.status, stdout: child.stdout, stderr: child.stderr };
}
