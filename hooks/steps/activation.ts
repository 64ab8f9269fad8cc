import { boundedAll, FAN_OUT } from '../drivers/common/concurrency';
import { PermanentError, TransientError } from '../drivers/common/errors';
import type { Step, StepContext } from '../engine/step';
import { readEverywhere, scoped } from './handover';
import { isBeforeCommit } from '../drivers/zerto/model';
import type { FailbackSystems } from './systems';
import { recoveredInVcenter, recoveredOf, vpgsOf } from './topology-views';
import { siteFileStep } from './identity';

type S = FailbackSystems;

/** Phase 2: the recovered VMs are suspended; everything is checked from the hypervisor's side only (H6). */
export function validationSteps(from: string, to: string): Step<S>[] {
  return [
    {
      id: 'validation.hypervisor',
      phase: 'validation',
      title: `${to} VMs suspended, VPGs before commit, RPO and alerts`,
      describe: () => `read power states on vCenter ${to} and each VPG's status, RPO and alerts on Zerto`,
      async act(ctx) {
        const { systems } = ctx;
        const states = await systems.vcenter(to).powerStates(recoveredInVcenter(ctx, from, to));
        const running = [...states].filter(([, s]) => s !== 'suspended');
        if (running.length) throw new PermanentError(`vcenter ${to}`, `${running.map(([vm, s]) => `${vm} is ${s}`).join(', ')}: expected suspended before validation`);
        const rpo: Record<string, number> = {};
        for (const spec of vpgsOf(ctx, from, to)) {
          const vpg = await systems.zerto(to).getVpg(spec.name);
          if (!isBeforeCommit(vpg)) throw new PermanentError(`zerto ${to}`, `${spec.name} is ${vpg.subStatusName}, not waiting before commit`);
          const errors = (await systems.zerto(to).alerts(spec.name)).filter((a) => a.level === 'Error');
          if (errors.length) throw new PermanentError(`zerto ${to}`, `${spec.name}: ${errors.map((a) => a.description).join('; ')}`);
          rpo[spec.name] = vpg.actualRpoSeconds;
        }
        return { rpoSeconds: rpo, suspended: [...states.keys()] };
      },
      timeoutSeconds: 60,
    },
    {
      id: 'validation.approve',
      phase: 'validation',
      title: 'approval: resume the recovered VMs',
      describe: () => 'operator approval (identity and comment journaled)',
      gate: { name: 'validation', prompt: `${to} VMs are suspended and validated from the hypervisor. Resume them (their crons stay fenced)?` },
      act: async () => undefined,
      timeoutSeconds: 86_400,
    },
  ];
}

/** Phase 3: resume with crons fenced (the guard denies: the token is not on `to`), then guest-level checks. */
export function activationSteps(from: string, to: string): Step<S>[] {
  const vms = (ctx: StepContext<S>) => recoveredOf(ctx, from, to);
  const inVcenter = (ctx: StepContext<S>) => recoveredInVcenter(ctx, from, to);
  return [
    {
      id: 'activation.resume',
      phase: 'activation',
      title: `resume the ${to} VMs (crons stay fenced)`,
      describe: (ctx) => `power on ${inVcenter(ctx).length} suspended VMs on vCenter ${to}, ${FAN_OUT} at a time`,
      async check(ctx) {
        const states = await ctx.systems.vcenter(to).powerStates(inVcenter(ctx));
        return [...states.values()].every((s) => s === 'poweredOn') ? { output: { alreadyRunning: true } } : undefined;
      },
      async act(ctx) {
        await boundedAll(inVcenter(ctx), FAN_OUT, (vm) => ctx.systems.vcenter(to).ensureRunning(vm));
      },
      async undo(ctx) {
        await boundedAll(inVcenter(ctx), FAN_OUT, (vm) => ctx.systems.vcenter(to).ensureSuspended(vm));
      },
      timeoutSeconds: 300,
    },
    siteFileStep(from, to),
    {
      id: 'activation.fenced',
      phase: 'activation',
      title: `${to} guests see the token elsewhere`,
      describe: () => `read every guest source of the ${to} VMs: none may name ${to} yet`,
      async act(ctx) {
        const views = await readEverywhere(ctx.systems);
        const wrong = scoped(views, vms(ctx)).filter((v) => v.sees?.active === to);
        if (wrong.length) throw new PermanentError('handover', `${wrong.map((v) => v.guest).join(', ')} already see ${to} as active before the handover: stop and check pra status`);
        return { checked: views.length };
      },
      timeoutSeconds: 60,
    },
    siteChecksStep('activation.checks', 'activation', to, `application checks on ${to}`),
    {
      id: 'activation.approve',
      phase: 'activation',
      title: 'approval: switch traffic and cron ownership',
      describe: () => 'operator approval (identity and comment journaled)',
      gate: { name: 'activation', prompt: `${to} answers its checks. Switch traffic and hand the cron token over to ${to}?` },
      act: async () => undefined,
      timeoutSeconds: 86_400,
    },
  ];
}

/** The topology's health checks (MySQL SELECT 1 and schemas, HTTP) against one site, retried while it warms up. */
export function siteChecksStep(id: string, phase: string, site: string, title: string): Step<S> {
  return {
    id,
    phase,
    title,
    describe: () => `run the topology's health checks (MySQL SELECT 1 and schemas, HTTP) against ${site}`,
    async act({ systems }) {
      const results = await systems.checks.run(site);
      const failed = results.filter((r) => !r.ok);
      if (failed.length) throw new TransientError(`checks ${site}`, failed.map((r) => `${r.name}: ${r.detail}`).join('; '));
      return { checks: results.map((r) => ({ name: r.name, latencyMs: Math.round(r.latencyMs) })) };
    },
    retry: { attempts: 20, baseDelayMs: 500, maxDelayMs: 3000 },
    timeoutSeconds: 300,
  };
}
