import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDrill, type DrillResult } from '../testenv/drill/drill';
import { topologyYaml } from '../testenv/drill/topology';
import { DRIVER_FAMILIES, generateTopologyInput, type DriverFamily } from '../topology';

/**
 * `pra drill --topology` wall time per driver family: a generated topology of `--vms` VMs (default 50) on
 * each family's drivers (DNS, load balancer, authority, guard sources), rehearsed as a user's topology
 * file, plus the example drill. Usage: `node dist/bench/drill-topology.js [--vms N] [--runs N] [--load]
 * [example | FAMILY...]` (default: example and every family but the generator's plain `ovh`); starts the
 * testenv itself. Every VM's guest is installed from its synthesized userdata; simulated cron guests for 4
 * VM pairs only, as in bench/failback.ts (hundreds of cron processes would time the machine).
 */
const GUEST_PAIRS = 4;

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
}

async function drill(target: 'example' | DriverFamily, vms: number, load: boolean): Promise<DrillResult> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (target === 'example') return runDrill({ guard: true, settleSeconds: 2, load, log });
  const dir = mkdtempSync(join(tmpdir(), 'pra-bench-topology-'));
  try {
    const file = join(dir, `${target}.yaml`);
    writeFileSync(file, topologyYaml(generateTopologyInput({ vms, drivers: target })));
    return await runDrill({ topologyFile: file, guard: true, settleSeconds: 2, guestPairs: GUEST_PAIRS, load, log });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const s = (ms: number) => (ms / 1000).toFixed(1);

async function main(): Promise<void> {
  const vms = option('--vms', 50);
  const runs = option('--runs', 1);
  const load = process.argv.includes('--load');
  const named = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !['--vms', '--runs'].includes(all[i - 1]));
  const targets = (named.length ? named : ['example', ...DRIVER_FAMILIES.filter((f) => f !== 'ovh')]) as ('example' | DriverFamily)[];
  for (const t of targets) if (t !== 'example' && !DRIVER_FAMILIES.includes(t)) throw new Error(`unknown target ${t}; use example or one of ${DRIVER_FAMILIES.join(', ')}`);
  process.stdout.write(`| topology | VMs | guests | load | install s | run s | drill wall s | overlap ms | state |\n|---|---:|---:|---|---:|---:|---:|---:|---|\n`);
  for (const target of targets) {
    for (let run = 0; run < runs; run++) {
      const r = await drill(target, vms, load);
      const size = target === 'example' ? 4 : vms;
      const guests = target === 'example' ? 4 : Math.min(vms, GUEST_PAIRS * 2);
      process.stdout.write(`| ${target} | ${size} | ${guests} | ${load ? 'busy loops' : '-'} | ${s(r.installMs)} | ${s(r.timeline.totalMs)} | ${s(r.wallMs)} | ${r.overlap.windowMs} | ${r.timeline.view.state} |\n`);
    }
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${(error as Error).stack}\n`);
    process.exit(1);
  },
);
