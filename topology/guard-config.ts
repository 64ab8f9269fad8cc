import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { guardConfig, guardDir } from '../constructs/guard-userdata';
import type { Problem } from './problems';
import type { Topology } from './schema';

/** Where each key the renderer writes into guard.conf comes from in the topology. */
const TOPOLOGY_PATHS: Readonly<Record<string, readonly string[]>> = {
  sources: ['guard', 'sources'],
  etcd_endpoints: ['guard', 'etcd', 'endpoints'],
  etcd_key: ['guard', 'etcd', 'key'],
  etcd_timeout_ms: ['guard', 'etcd', 'timeoutMs'],
  denied_exit_code: ['guard', 'deniedExitCode'],
  replay_policy: ['guard', 'replayPolicy'],
};

/**
 * The guard's own configuration check (`pra-guard check-config`) on the guard.conf the shipped renderer writes
 * for this topology: whatever the guard would refuse on every guest (making it deny every job), the topology
 * refuses here. One set of rules, the guard's; each problem is put back on the topology field it came from.
 */
export function guardConfigProblems(topology: Topology): Problem[] {
  const text = guardConfig(topology.guard);
  const dir = mkdtempSync(join(tmpdir(), 'pra-guard-conf-'));
  try {
    const file = join(dir, 'guard.conf');
    writeFileSync(file, text);
    const result = spawnSync('sh', [join(guardDir(), 'pra-guard'), 'check-config', file], { encoding: 'utf8' });
    if (result.status === 0) return [];
    if (result.status !== 2) throw new Error(`pra-guard check-config ${file} failed (${result.error?.message ?? `exit ${result.status}`}): ${result.stderr.trim()}`);
    const lines = text.split('\n');
    return result.stderr
      .split('\n')
      .filter((line) => line.startsWith('pra-guard: check-config: '))
      .map((line) => {
        const [, lineNumber, problem] = /^pra-guard: check-config: .*?:(\d+): (.*)$/.exec(line) ?? [undefined, '0', line];
        const key = lines[Number(lineNumber) - 1]?.split('=')[0] ?? '';
        return { path: [...(TOPOLOGY_PATHS[key] ?? ['guard'])], message: `is refused by the guard itself (pra-guard check-config: ${problem}): fix it, or every guest denies every job` };
      });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
