import { PermanentError, TransientError } from '../drivers/common/errors';
import type { Plan, Step, StepContext } from '../engine/step';
import type { Topology } from '../../topology';
import { boundedAll, FAN_OUT } from '../drivers/common/concurrency';
import { siteChecksStep } from './activation';
import { readEverywhere, scoped } from './handover';
import { identityStep } from './identity';
import { journaledPauseWatcher } from './pause-watcher';
import { preflightSteps } from './preflight';
import { matchRecovered, testCandidates, type RecoveredVm } from './recovered-vms';
import type { FailbackSystems } from './systems';
import { recoveredOf, vmsOf, vpgsOf } from './topology-views';

type S = FailbackSystems;

/** The gate that ends a test; its comment is the operator's result: `fail: ...` marks the test failed. */
export const TEST_STOP_GATE = 'test-stop';
const TASK_WAIT = { timeoutMs: 1_800_000, intervalMs: 250 };

/** The cron token as preflight read it: the test must leave it exactly so (never a new epoch). */
function tokenOf(ctx: StepContext<S>): { epoch: number } {
  return ctx.outputs['preflight.state'] as { epoch: number };
}

/** Passes when the authority still names `from` at the epoch preflight read. */
async function tokenUnchanged(ctx: StepContext<S>, from: string): Promise<number> {
  const record = await ctx.systems.authority.read();
  const { epoch } = tokenOf(ctx);
  if (record?.active !== from || record.epoch !== epoch) {
    throw new PermanentError(ctx.systems.authority.description, `says ${record?.active ?? '(none)'}@${record?.epoch ?? 0}; a failover test must leave ${from}@${epoch}: stop the test and check pra status`);
  }
  return epoch;
}

/** The test VMs by their names in the recovery site's vCenter, as `test.start` matched them (Zerto's or the seeds' naming). */
function testVmsInVcenter(ctx: StepContext<S>): string[] {
  return ((ctx.outputs['test.start'] as { testVms?: RecoveredVm[] } | undefined)?.testVms ?? []).map((r) => r.vm);
}

/** The operator's verdict and notes for Zerto's test report, from the stop gate's approval. */
export function verdictOf(approval: { approvedBy?: string; comment?: string } | undefined): { success: boolean; summary: string } {
  const comment = approval?.comment?.trim() ?? '';
  const success = !/^fail/i.test(comment);
  return { success, summary: `${success ? 'passed' : 'failed'} (${approval?.approvedBy ?? 'unknown'}): ${comment || 'no notes'}`.slice(0, 1000) };
}

/**
 * `test-failover --to TO`: Zerto's Failover Test of every VPG replicating the active site -> TO, the quarterly
 * rehearsal. Production is never touched: the cron token stays on the active site at the same epoch, so every
 * test VM's guard denies its jobs (its site is TO, the token names the active site), DNS, load balancers and
 * the failback state are left alone, and replication goes on. Each test VM (Zerto's "<name> - testing recovery",
 * booted from the protected VM's disk) is suspended as it powers on, gets its own site and the current fence in
 * its VMX (its guard then denies on the replicated files' other site), then runs. The test VMs are checked from the hypervisor
 * (and from inside with `checks`), the operator approves the stop with a result and notes, and
 * FailoverTestStop records them in Zerto. A rollback (or an undo) stops the test as failed.
 */
export function testFailoverPlan(topology: Topology, from: string, to: string, options: { readonly checks: boolean }): Plan<S> {
  const testVms = (ctx: StepContext<S>) => recoveredOf(ctx, from, to);
  const names = (ctx: StepContext<S>) => vpgsOf(ctx, from, to).map((g) => g.name);
  const steps: Step<S>[] = [
    ...preflightSteps(from, to, { sourceMayBeLost: false }),
    {
      id: 'test.fence',
      phase: 'test',
      title: `${to} test VMs fenced: the token stays on ${from}`,
      describe: (ctx) => `publish the current token (${from}, epoch ${tokenOf(ctx).epoch}: no new epoch) to every guest source, so ${testVms(ctx).length} test VMs boot denied`,
      async act(ctx) {
        const epoch = await tokenUnchanged(ctx, from);
        const record = await ctx.systems.authority.read();
        // Re-publishing the same record moves nothing; it rewrites sources a test VM may read (H11).
        await Promise.all(ctx.systems.publishers.map((p) => p.publish(record!)));
        return { active: from, epoch };
      },
      timeoutSeconds: 120,
    },
    {
      id: 'test.start',
      phase: 'test',
      title: `Zerto Failover Test ${from} -> ${to}, each test VM suspended as it boots`,
      describe: (ctx) => `start a Failover Test of ${names(ctx).join(', ')} on Zerto ${to}: test VMs in the test network, replication goes on; suspend each test VM as it powers on (vCenter ${to})`,
      async check(ctx) {
        for (const name of names(ctx)) if (!(await ctx.systems.zerto(to).getVpg(name)).testRunning) return undefined;
        const testVms = await matchRecovered(ctx.systems.vcenter(to), to, await testCandidates(ctx.systems.zerto(to), ctx.systems.topology, names(ctx)));
        return { output: { alreadyRunning: names(ctx), testVms: testVms.map((r) => ({ ...r })) } };
      },
      async act(ctx) {
        const zerto = ctx.systems.zerto(to);
        // A test VM boots from the protected VM's disk: its replicated files name the active site (H11). Suspend it
        // as it powers on, so that it runs again only once its identity is written (test.identity).
        const groups = await testCandidates(zerto, ctx.systems.topology, names(ctx));
        const { watcher, windows } = journaledPauseWatcher(ctx.systems.vcenter(to), groups.map((c) => c.names), (message, data) => ctx.progress(message, data));
        watcher.start();
        try {
          const tasks: Record<string, string> = {};
          for (const name of names(ctx)) if (!(await zerto.getVpg(name)).testRunning) tasks[name] = await zerto.failoverTest(name);
          for (const [name, task] of Object.entries(tasks)) {
            await zerto.waitForTask(task, TASK_WAIT);
            ctx.progress(`test VMs of ${name} up`, { vpg: name, task });
          }
          await watcher.allSuspended(ctx.signal);
          const testVms = await matchRecovered(ctx.systems.vcenter(to), to, groups);
          return { tasks, bootWindows: windows, testVms: testVms.map((r) => ({ ...r })) };
        } finally {
          await watcher.stop();
        }
      },
      async undo(ctx) {
        const zerto = ctx.systems.zerto(to);
        for (const name of names(ctx)) {
          if ((await zerto.getVpg(name)).testRunning) await zerto.waitForTask(await zerto.stopFailoverTest(name, { success: false, summary: 'failed: rolled back by pra' }), TASK_WAIT);
        }
      },
      timeoutSeconds: 1800,
    },
    // The test VMs' own site and the current fence (the token stays on `from`): their guards deny from then on.
    identityStep(from, to, { id: 'test.identity', phase: 'test', vms: testVmsInVcenter }),
    {
      id: 'test.resume',
      phase: 'test',
      title: `resume the ${to} test VMs (their crons fenced)`,
      describe: (ctx) => `power on ${testVmsInVcenter(ctx).length} suspended test VMs on vCenter ${to}, ${FAN_OUT} at a time`,
      async act(ctx) {
        await boundedAll(testVmsInVcenter(ctx), FAN_OUT, (vm) => ctx.systems.vcenter(to).ensureRunning(vm));
      },
      timeoutSeconds: 300,
    },
    {
      id: 'test.fenced',
      phase: 'test',
      title: `test VMs denied: no guest source names ${to}`,
      describe: () => `read the authority (same record) and every guest source of the ${to} test VMs: none may name ${to}`,
      async act(ctx) {
        const epoch = await tokenUnchanged(ctx, from);
        const views = scoped(await readEverywhere(ctx.systems), testVms(ctx));
        const wrong = views.filter((v) => v.sees?.active === to);
        if (wrong.length) throw new PermanentError('guard', `${wrong.map((v) => `${v.guest} (${v.source})`).join(', ')} see ${to} as active during a test: stop the test now`);
        return { active: from, epoch, checked: views.length };
      },
      timeoutSeconds: 60,
    },
    {
      id: 'test.hypervisor',
      phase: 'test',
      title: `${to} test VMs running, VPGs still protecting`,
      describe: () => `read the test VMs' power on vCenter ${to}, and each VPG's test, RPO and alerts on Zerto`,
      async act(ctx) {
        const states = await ctx.systems.vcenter(to).powerStates(testVmsInVcenter(ctx));
        const down = [...states].filter(([, s]) => s !== 'poweredOn');
        if (down.length) throw new TransientError(`vcenter ${to}`, `${down.map(([vm, s]) => `${vm} is ${s}`).join(', ')}: test VMs not running yet`);
        const rpo: Record<string, number> = {};
        for (const name of names(ctx)) {
          const vpg = await ctx.systems.zerto(to).getVpg(name);
          if (!vpg.testRunning) throw new PermanentError(`zerto ${to}`, `${name} shows no running test (${vpg.statusName}/${vpg.subStatusName})`);
          const errors = (await ctx.systems.zerto(to).alerts(name)).filter((a) => a.level === 'Error');
          if (errors.length) throw new PermanentError(`zerto ${to}`, `${name}: ${errors.map((a) => a.description).join('; ')}`);
          rpo[name] = vpg.actualRpoSeconds;
        }
        return { running: [...states.keys()], rpoSeconds: rpo };
      },
      retry: { attempts: 10, baseDelayMs: 500, maxDelayMs: 3000 },
      timeoutSeconds: 120,
    },
    // Optional: only when this host reaches the test network.
    ...(options.checks ? [siteChecksStep('test.checks', 'test', to, `application checks on the ${to} test VMs`)] : []),
    {
      id: 'test.approve',
      phase: 'test',
      title: 'approval: stop the test, with its result',
      describe: () => 'operator approval; the comment is the result and notes for Zerto\'s test report ("fail: ..." marks it failed)',
      gate: { name: TEST_STOP_GATE, prompt: `The ${to} test VMs are up and fenced. Stop the test? Comment with the result and notes (start with "fail:" if it failed).` },
      act: async () => undefined,
      timeoutSeconds: 86_400 * 7,
    },
    {
      id: 'test.stop',
      phase: 'test',
      title: `Zerto FailoverTestStop on ${to}, result recorded`,
      describe: (ctx) => `stop the tests of ${names(ctx).join(', ')} with the operator's result and notes; the test VMs go away`,
      async check(ctx) {
        for (const name of names(ctx)) if ((await ctx.systems.zerto(to).getVpg(name)).testRunning) return undefined;
        return { output: { alreadyStopped: names(ctx) } };
      },
      async act(ctx) {
        const zerto = ctx.systems.zerto(to);
        const result = verdictOf(ctx.outputs['test.approve'] as { approvedBy?: string; comment?: string } | undefined);
        const tasks: Record<string, string> = {};
        for (const name of names(ctx)) tasks[name] = await zerto.stopFailoverTest(name, result);
        for (const task of Object.values(tasks)) await zerto.waitForTask(task, TASK_WAIT);
        return { ...result, tasks };
      },
      async verify(ctx) {
        const states = await ctx.systems.vcenter(to).powerStates(testVmsInVcenter(ctx));
        const running = [...states].filter(([, s]) => s === 'poweredOn');
        if (running.length) throw new TransientError(`vcenter ${to}`, `${running.map(([vm]) => vm).join(', ')} still running after the test stopped`);
      },
      timeoutSeconds: 1800,
    },
    {
      id: 'test.production',
      phase: 'test',
      title: `production untouched on ${from}`,
      describe: () => `the token still ${from} at the same epoch, the ${from} VMs running, the VPGs replicating ${from} -> ${to}`,
      async act(ctx) {
        const epoch = await tokenUnchanged(ctx, from);
        const states = await ctx.systems.vcenter(from).powerStates(vmsOf(ctx.systems.topology, from));
        const down = [...states].filter(([, s]) => s !== 'poweredOn');
        if (down.length) throw new PermanentError(`vcenter ${from}`, `${down.map(([vm, s]) => `${vm} is ${s}`).join(', ')} after the test`);
        const vpgs: Record<string, string> = {};
        for (const name of names(ctx)) {
          const vpg = await ctx.systems.zerto(to).getVpg(name);
          vpgs[name] = `${vpg.statusName} ${vpg.sourceSite ?? '?'} -> ${vpg.targetSite ?? '?'}`;
        }
        return { active: from, epoch, vpgs };
      },
      timeoutSeconds: 60,
    },
  ];
  return { name: `failover test ${from} -> ${to}`, from, to, rtoMinutes: topology.rtoMinutes, steps };
}
