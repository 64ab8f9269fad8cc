import { realSleep, type Sleep } from '../hooks/drivers/common/retry';
import type { FailbackSystems } from '../hooks/steps/systems';
import { runDrill, type DrillResult } from '../testenv/drill/drill';

/**
 * The drill's wall time and the engine's own overhead, for 4 VMs (the example) and generated topologies of
 * 50 and 200 VMs (`node dist/bench/failback.js [SIZES...]`, default 4 50 200; starts the testenv itself).
 *
 * Overhead = the run's time during which the engine waited on nothing: run span (engine handed the systems ->
 * last journal event) minus the union of the intervals during which at least one driver call (vCenter,
 * Zerto, DNS, LB, authority, publishers, guest SSH, checks) or one runner sleep was pending, minus the
 * failback-state writes (re-synthesis of the stacks, reported on its own). The union counts concurrent calls
 * once, so 16 parallel resumes are 1 interval, not 16. What is left is journal appends (fsync), replays,
 * planning and step logic. The process CPU time during the run is printed too: an upper bound, since it
 * also holds the drivers' TLS/SOAP/SSH work and the drill's own power followers.
 *
 * Guests: every VM of the example has its simulated cron guest; the generated topologies have guests for
 * 4 VM pairs only (the others get a guest root the engine publishes to and drains): 200 cron processes
 * running jobs through the guard every second would saturate this 2-core machine and time the machine.
 */
const GUEST_PAIRS = 4;

/** Time with at least one call pending, and the count of calls. */
class WaitMeter {
  private pending = 0;
  private since = 0;
  waitedMs = 0;
  calls = 0;

  begin(): void {
    this.calls++;
    if (this.pending++ === 0) this.since = performance.now();
  }

  end(): void {
    if (--this.pending === 0) this.waitedMs += performance.now() - this.since;
  }

  /** Runs `fn`, counting the time until its promise settles as waiting. */
  around<T>(fn: () => T): T {
    this.begin();
    let out: T;
    try {
      out = fn();
    } catch (error) {
      this.end();
      throw error;
    }
    if (out instanceof Promise) return out.finally(() => this.end()) as T;
    this.end();
    return out;
  }
}

/** `target` with every method call timed by `meter`. */
function timed<T extends object>(target: T, meter: WaitMeter): T {
  return new Proxy(target, {
    get(object, member) {
      const value = Reflect.get(object, member, object) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => meter.around(() => (value as (...a: unknown[]) => unknown).apply(object, args));
    },
  });
}

function instrumented(systems: FailbackSystems, waits: WaitMeter, synthesis: WaitMeter): FailbackSystems {
  const vcenters = new Map<string, ReturnType<FailbackSystems['vcenter']>>();
  const zertos = new Map<string, ReturnType<FailbackSystems['zerto']>>();
  return {
    ...systems,
    vcenter: (site) => vcenters.get(site) ?? vcenters.set(site, timed(systems.vcenter(site), waits)).get(site)!,
    zerto: (site) => zertos.get(site) ?? zertos.set(site, timed(systems.zerto(site), waits)).get(site)!,
    dns: systems.dns && timed(systems.dns, waits),
    lb: systems.lb && timed(systems.lb, waits),
    authority: timed(systems.authority, waits),
    publishers: systems.publishers.map((p) => timed(p, waits)),
    guests: timed(systems.guests, waits),
    checks: timed(systems.checks, waits),
    state: { read: () => systems.state.read(), write: (next) => synthesis.around(() => systems.state.write(next)) },
  };
}

interface Row {
  readonly vms: number;
  readonly guests: number;
  readonly result: DrillResult;
  readonly runMs: number;
  readonly waitedMs: number;
  readonly synthesisMs: number;
  readonly overheadMs: number;
  readonly cpuMs: number;
  readonly calls: number;
}

async function measure(size: number): Promise<Row> {
  const waits = new WaitMeter();
  const synthesis = new WaitMeter();
  let handedAt = 0;
  let cpu = process.cpuUsage();
  const sleep: Sleep = (ms) => waits.around(() => realSleep(ms));
  const example = size === 4;
  const result = await runDrill({
    guard: true,
    settleSeconds: 2,
    vms: example ? undefined : size,
    guestPairs: example ? undefined : GUEST_PAIRS,
    sleep,
    instrument: (systems) => {
      handedAt = Date.now();
      cpu = process.cpuUsage();
      return instrumented(systems, waits, synthesis);
    },
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const used = process.cpuUsage(cpu); // to the end of the drill: the run's CPU plus the 2 s settle afterwards
  const runMs = Date.parse(result.timeline.view.lastEventAt) - handedAt;
  const overheadMs = Math.max(0, runMs - waits.waitedMs - synthesis.waitedMs);
  const guests = example ? 4 : GUEST_PAIRS * 2;
  return { vms: size, guests, result, runMs, waitedMs: waits.waitedMs, synthesisMs: synthesis.waitedMs, overheadMs, cpuMs: (used.user + used.system) / 1000, calls: waits.calls };
}

const s = (ms: number) => (ms / 1000).toFixed(1);

const HEADER = [
  '| VMs | guests | drill wall s | failback run s | waiting s (calls) | state writes s | engine overhead ms | overhead % of run | overhead % of wall | process CPU s | boot window max ms | overlap ms | state |',
  '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
].join('\n');

function row(r: Row): string {
  const windows = r.result.timeline.bootWindows.map((w) => w.ms);
  return `| ${r.vms} | ${r.guests} | ${s(r.result.wallMs)} | ${s(r.runMs)} | ${s(r.waitedMs)} (${r.calls}) | ${s(r.synthesisMs)} | ${r.overheadMs.toFixed(0)} | ${((100 * r.overheadMs) / r.runMs).toFixed(2)} | ${((100 * r.overheadMs) / r.result.wallMs).toFixed(2)} | ${s(r.cpuMs)} | ${windows.length ? Math.max(...windows) : '-'} | ${r.result.overlap.windowMs} | ${r.result.timeline.view.state} |`;
}

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).map(Number);
  process.stdout.write(`${HEADER}\n`); // then one row per size as soon as it is measured
  for (const size of sizes.length ? sizes : [4, 50, 200]) {
    if (!Number.isInteger(size) || size < 4 || size > 400 || size % 2) throw new Error(`sizes are even VM counts from 4 to 400, got ${size}`);
    process.stdout.write(`${row(await measure(size))}\n`);
  }
  process.exit(0); // the testenv's daemons stay up; nothing else should keep the process alive, but a stray keep-alive socket must not hang the bench
}

main().catch((error: Error) => {
  process.stderr.write(`bench failback: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
