import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEtcdClient } from '../hooks/drivers/common/etcd';
import { currentEnv, down, REPO_ROOT, up } from '../testenv/core';
import { allServices } from '../testenv/services';
import { elapsedMs, median, percentile } from './latency';

/**
 * Per-invocation cost of `pra-guard run -- true` with each active-site source, side by side with `true`
 * alone and `flock -n LOCK true`, in one interleaved run (so machine noise hits every row alike).
 * With Prometheus textfile metrics on, for file and guestinfo (metrics_dir=, docs/monitoring.md).
 * Usage: node dist/bench/guard.js [RUNS]   (default 200, at most 2000). Targets: file and guestinfo
 * under 10 ms median, etcd under 50 ms. The guard runs under dash, Debian's /bin/sh.
 */

const GUARD = join(REPO_ROOT, 'guard/pra-guard');
const GUESTINFO_TOOL_DIR = join(REPO_ROOT, 'testenv/guest');

interface Case {
  readonly name: string;
  readonly command: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly samples: number[];
}

function guestRoot(name: string, config: string): string {
  const root = mkdtempSync(join(tmpdir(), `pra-guard-bench-${name}-`));
  mkdirSync(join(root, 'etc/pra'), { recursive: true });
  writeFileSync(join(root, 'etc/pra/guard.conf'), `syslog=no\n${config}`);
  writeFileSync(join(root, 'etc/pra/site'), 'rbx\n');
  writeFileSync(join(root, 'etc/pra/active-site'), 'active=rbx\nepoch=1\n');
  writeFileSync(join(root, 'guestinfo.kv'), 'guestinfo.pra.site=rbx\nguestinfo.pra.active_site=rbx\nguestinfo.pra.epoch=1\n');
  return root;
}

function timeOnce(c: Case): void {
  const started = process.hrtime.bigint();
  const result = spawnSync(c.command[0], c.command.slice(1), { env: c.env, stdio: 'ignore' });
  c.samples.push(elapsedMs(started));
  if (result.status !== 0) throw new Error(`bench: ${c.name} exited ${result.status}`);
}

async function main(): Promise<void> {
  const runs = Math.min(Math.max(Number(process.argv[2] ?? 200) || 200, 10), 2000);
  const running = currentEnv()?.PRA_TESTENV_ETCD_ENDPOINT;
  const wasUp = running !== undefined;
  const endpoint = running ?? (await up(allServices)).PRA_TESTENV_ETCD_ENDPOINT;
  const etcd = createEtcdClient({ endpoints: [endpoint] });
  const key = `/pra-bench/${process.pid}/active-site`;
  await etcd.put(key).value('active=rbx\nepoch=1\n');

  const roots = {
    file: guestRoot('file', 'sources=file\n'),
    guestinfo: guestRoot('guestinfo', 'sources=guestinfo\n'),
    etcd: guestRoot('etcd', `sources=etcd\netcd_endpoints=${endpoint}\netcd_key=${key}\n`),
    fileMetrics: guestRoot('file-metrics', 'sources=file\n'),
    guestinfoMetrics: guestRoot('guestinfo-metrics', 'sources=guestinfo\n'),
  };
  // Prometheus textfile metrics on (docs/monitoring.md): one metrics directory inside each guest root.
  for (const root of [roots.fileMetrics, roots.guestinfoMetrics]) {
    mkdirSync(join(root, 'metrics'));
    writeFileSync(join(root, 'etc/pra/guard.conf'), `syslog=no\nsources=${root === roots.fileMetrics ? 'file' : 'guestinfo'}\nmetrics_dir=${join(root, 'metrics')}\n`);
  }
  const guardEnv = (root: string, withTools = false): NodeJS.ProcessEnv => ({
    ...process.env,
    PRA_GUARD_ROOT: root,
    PRA_FAKE_GUESTINFO: join(root, 'guestinfo.kv'),
    PATH: withTools ? `${GUESTINFO_TOOL_DIR}:${process.env.PATH}` : process.env.PATH,
  });
  const lock = join(roots.file, 'bench.lock');
  const cases: Case[] = [
    { name: '`true` alone', command: ['true'], env: process.env, samples: [] },
    { name: '`flock -n LOCK true`', command: ['flock', '-n', lock, 'true'], env: process.env, samples: [] },
    { name: 'guard, file source', command: ['dash', GUARD, 'run', '--', 'true'], env: guardEnv(roots.file), samples: [] },
    { name: 'guard, guestinfo source (stand-in rpctool)', command: ['dash', GUARD, 'run', '--', 'true'], env: guardEnv(roots.guestinfo, true), samples: [] },
    { name: 'guard, etcd source (real etcd)', command: ['dash', GUARD, 'run', '--', 'true'], env: guardEnv(roots.etcd), samples: [] },
    { name: 'guard, file source, metrics on', command: ['dash', GUARD, 'run', '--', 'true'], env: guardEnv(roots.fileMetrics), samples: [] },
    { name: 'guard, guestinfo source, metrics on', command: ['dash', GUARD, 'run', '--', 'true'], env: guardEnv(roots.guestinfoMetrics, true), samples: [] },
  ];
  try {
    for (let i = 0; i < runs; i++) cases.forEach(timeOnce);
  } finally {
    await etcd.delete().key(key);
    etcd.close();
    Object.values(roots).forEach((root) => rmSync(root, { recursive: true, force: true }));
    if (!wasUp) down();
  }

  const base = median(cases[0].samples);
  const lines = [
    `pra-guard per-invocation cost: ${runs} runs of each, interleaved; ${cpus().length} CPUs, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    '',
    '| command | median ms | p90 ms | x `true` | guard cost ms (median - `true`) |',
    '|---|---:|---:|---:|---:|',
    ...cases.map((c) => {
      const m = median(c.samples);
      const p90 = percentile(c.samples, 0.9);
      return `| ${c.name} | ${m.toFixed(2)} | ${p90.toFixed(2)} | ${(m / base).toFixed(1)} | ${(m - base).toFixed(2)} |`;
    }),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error) => {
  process.stderr.write(`bench guard: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
