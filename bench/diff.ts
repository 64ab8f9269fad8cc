import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTopologyInput } from '../topology/generate';
import type { TopologyInput } from '../topology/schema';
import { median } from './latency';
import { timedChild } from './timed-child';

/**
 * `pra diff --base` benchmark: a throwaway git repository holding a generated topology (base commit) and the
 * same with one VM added (head commit); `pra diff --base HEAD~1` run as an operator runs it (compiled CLI, one
 * child process per run: load, git reads, two syntheses, diff, Markdown).
 * Usage: node dist/bench/diff.js [--runs N] [VM_COUNT]   (default: 5 runs, 500 VMs; target < 5 s)
 */
const TARGET_SECONDS = 5;
const CLI = join(__dirname, '..', 'hooks', 'cli', 'main.js');

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', ...args], { cwd, stdio: 'ignore' });
}

function commitTopology(dir: string, topology: TopologyInput, message: string): void {
  writeFileSync(join(dir, 'topology.json'), JSON.stringify(topology, null, 2));
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
}

function main(): void {
  const argv = process.argv.slice(2);
  const runsAt = argv.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(argv.splice(runsAt, 2)[1]) : 5;
  const vms = Number(argv[0] ?? 500);
  if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(vms) || vms < 2) throw new Error('usage: node dist/bench/diff.js [--runs N] [VM_COUNT]');
  const dir = mkdtempSync(join(tmpdir(), 'pra-bench-diff-'));
  try {
    git(dir, 'init', '-q');
    const base = generateTopologyInput({ vms });
    commitTopology(dir, base, 'base');
    const added = { name: 'VM-BENCH-ADDED-RBX', site: 'rbx', role: 'docker', ip: '10.100.250.250', template: 'debian-12-docker', cpus: 2, memoryMiB: 2048, protected: false };
    commitTopology(dir, { ...base, vms: [...base.vms, added] }, 'head: one VM added');
    const runsDone = Array.from({ length: runs }, () => {
      const run = timedChild(dir, [CLI, 'diff', '--base', 'HEAD~1', '--topology', 'topology.json', '--json']);
      if (run.status !== 1) throw new Error(`pra diff exited ${run.status} (expected 1: changes): ${run.stderr}`);
      return run;
    });
    const walls = runsDone.map((r) => r.seconds);
    const summary = (JSON.parse(runsDone[0].stdout) as { summary: string }).summary;
    const verdict = median(walls) < TARGET_SECONDS ? 'met' : 'MISSED';
    process.stdout.write(`pra diff --base HEAD~1, ${vms} VMs + 1 added, ${runs} runs (node ${process.version})\n`);
    process.stdout.write(`summary: ${summary}\n`);
    process.stdout.write(`wall median ${median(walls).toFixed(2)} s, min-max ${Math.min(...walls).toFixed(2)}-${Math.max(...walls).toFixed(2)} s, target < ${TARGET_SECONDS} s: ${verdict}\n`);
    process.stdout.write(`CPU (user + system) median ${median(runsDone.map((r) => r.cpuSeconds)).toFixed(2)} s, peak RSS ${Math.max(...runsDone.map((r) => r.peakRssMiB)).toFixed(0)} MiB\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
