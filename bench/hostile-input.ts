import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { InputError, loadTopology } from '../topology';
import { aliasBombYaml, generateTopologyInput } from '../topology/generate';
import { elapsedMs, median } from './latency';

/**
 * 5 MB inputs, valid or not: the check itself in this process (`loadTopology`: read, parse, validate, describe
 * the problems), and `pra validate` as an operator runs it (one `node dist/hooks/cli/main.js` child per run,
 * start-up included). Target: the check under 2 s, at most 51 lines of problems.
 * Usage: node dist/bench/hostile-input.js [RUNS]   (default 5)
 */
const MAIN = join(__dirname, '..', 'hooks', 'cli', 'main.js');
const TARGET_SECONDS = 2;
const SIZE = 5 * 1024 * 1024;

type Input = Record<string, any>;

/** A valid generated topology of about SIZE characters as JSON. */
function validInput(): Input {
  const perVm = JSON.stringify(generateTopologyInput({ vms: 100 })).length / 100;
  return generateTopologyInput({ vms: 2 * Math.round(SIZE / perVm / 2) });
}

function inputs(): Record<string, string> {
  const valid = validInput();
  const badFields = { ...valid, vms: valid.vms.map((vm: Input) => ({ ...vm, ip: '10.0.0.999', cpus: 0 })) };
  const badItems = { ...valid, vms: Array.from({ length: 120_000 }, (_, i) => ({ name: `bad vm ${i}`, site: 'RBX', nope: i })) };
  return {
    'valid.json': JSON.stringify(valid),
    'valid.yaml': dump(valid),
    'bad-fields.json': JSON.stringify(badFields),
    'bad-fields.yaml': dump(badFields),
    'bad-items.json': JSON.stringify(badItems),
    'bad-items.yaml': dump(badItems),
    'alias-bomb.yaml': `${aliasBombYaml('vms')}# ${'x'.repeat(SIZE)}\n`,
  };
}

function main(): void {
  const runs = Math.max(1, Number(process.argv[2] ?? 5));
  const dir = mkdtempSync(join(tmpdir(), 'pra-bench-input-'));
  try {
    process.stdout.write(`pra validate on 5 MB inputs: ${runs} runs each; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n\n`);
    process.stdout.write('| input | MB | exit | stderr lines | stderr KB | check median s | check max s | target | `pra validate` wall median s |\n|---|---:|---:|---:|---:|---:|---:|---|---:|\n');
    for (const [name, text] of Object.entries(inputs())) {
      writeFileSync(join(dir, name), text);
      const checks: number[] = [];
      for (let i = 0; i < runs; i++) {
        const started = process.hrtime.bigint();
        try {
          loadTopology(join(dir, name), name);
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
        }
        checks.push(elapsedMs(started) / 1000);
      }
      const walls: number[] = [];
      let last = spawnSync(process.execPath, ['--version'], { encoding: 'utf8' });
      for (let i = 0; i < runs; i++) {
        const started = process.hrtime.bigint();
        last = spawnSync(process.execPath, [MAIN, 'validate', name], { cwd: dir, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
        walls.push(elapsedMs(started) / 1000);
      }
      const stderr = String(last.stderr);
      const lines = stderr ? stderr.trimEnd().split('\n').length : 0;
      const max = Math.max(...checks);
      const met = max < TARGET_SECONDS ? `< ${TARGET_SECONDS} s: met` : 'MISSED';
      const mb = (text.length / 1e6).toFixed(1);
      process.stdout.write(`| ${name} | ${mb} | ${last.status} | ${lines} | ${(stderr.length / 1024).toFixed(1)} | ${median(checks).toFixed(2)} | ${max.toFixed(2)} | ${met} | ${median(walls).toFixed(2)} |\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
