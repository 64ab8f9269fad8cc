import { PermanentError, TransientError } from '../drivers/common/errors';
import type { Json } from '../engine/events';
import type { Step } from '../engine/step';
import { boundedAll, FAN_OUT } from '../drivers/common/concurrency';
import { drain, fence, grant } from './handover';
import { isBeforeCommit } from '../drivers/zerto/model';
import type { FailbackSystems } from './systems';
import { recoveredOf, vmsOf, vpgsOf } from './topology-views';

type S = FailbackSystems;

function siteIp(systems: S, site: string): string {
  const found = systems.topology.sites.find((s) => s.name === site);
  if (!found) throw new PermanentError('topology', `site ${site} is not declared`);
  return found.publicIp;
}

/** Points the DNS record and/or the load balancer at `site`, verified on every authoritative NS / the LB. */
async function routeTrafficTo(systems: S, site: string): Promise<{ [key: string]: Json }> {
  const out: { [key: string]: Json } = {};
  const dnsSpec = systems.topology.traffic.dns;
  if (systems.dns && dnsSpec) {
    const address = siteIp(systems, site);
    await systems.dns.applyChanges({ upsert: [{ name: dnsSpec.record, type: 'A', ttlSeconds: dnsSpec.ttlSeconds, targets: [address] }] });
    const verification = await systems.dns.verify({ name: dnsSpec.record, addresses: [address] });
    if (!verification.ok) throw new TransientError(systems.dns.system, `${dnsSpec.record}.${dnsSpec.zone} not yet ${address} on ${verification.lagging.join(', ')}`);
    out.dns = { record: `${dnsSpec.record}.${dnsSpec.zone}`, address, nameservers: verification.answers.map((a) => a.nameserver) };
  }
  if (systems.lb) {
    await systems.lb.switchTo(site);
    const verification = await systems.lb.verify(site);
    if (!verification.ok) throw new TransientError('lb', `not switched to ${site}: ${verification.observed.join('; ')}`);
    out.lb = [...verification.observed];
  }
  return out;
}

export function trafficStep(from: string, to: string): Step<S> {
  return {
    id: 'switch.traffic',
    phase: 'switch',
    title: `traffic to ${to}`,
    describe: ({ systems }) => `point ${[systems.dns ? 'the DNS record' : '', systems.lb ? 'the load balancer' : ''].filter(Boolean).join(' and ')} at ${to}, verified on every nameserver / read back`,
    act: ({ systems }) => routeTrafficTo(systems, to),
    undo: async ({ systems }) => {
      await routeTrafficTo(systems, from);
    },
    retry: { attempts: 10, baseDelayMs: 500, maxDelayMs: 5000 },
    timeoutSeconds: 600,
  };
}

export function handoverSteps(from: string, to: string, options: { readonly force: boolean; readonly sourceLikelyOff: boolean }): { fence: Step<S>; drain: Step<S>; grant: Step<S> } {
  const reason = (ctxRun: string) => `run ${ctxRun}: cron handover ${from} -> ${to}`;
  return {
    fence: {
      id: 'handover.fence',
      phase: 'handover',
      title: `cron token: ${from} -> none`,
      describe: () => `authority: active=none at the next epoch; publish to every guest; wait until every ${from} guest sees it or is off`,
      act: ({ systems, runId }) => fence(systems, from, { force: options.force, reason: reason(runId) }),
      async undo({ systems, runId }) {
        const current = await systems.authority.read();
        if (current?.active === 'none') await grant(systems, from, `run ${runId}: rollback, token back to ${from}`);
      },
      retry: { attempts: 8, baseDelayMs: 500, maxDelayMs: 4000 },
      timeoutSeconds: 180,
    },
    drain: {
      id: 'handover.drain',
      phase: 'handover',
      title: `drain jobs in flight on ${from}`,
      describe: ({ systems }) => `run pra-guard drain on every ${from} guest (bound ${systems.topology.guard.drainTimeoutSeconds} s)`,
      act: ({ systems }) => drain(systems, from, { timeoutSeconds: systems.topology.guard.drainTimeoutSeconds, skipOff: options.force || options.sourceLikelyOff, siteMayBeLost: options.force }),
      retry: { attempts: 3, baseDelayMs: 1000 },
      timeoutSeconds: 3600,
    },
    grant: {
      id: 'handover.grant',
      phase: 'handover',
      title: `cron token: none -> ${to}`,
      describe: () => `authority: active=${to} at the next epoch; publish; wait until every ${to} guest sees it`,
      act: ({ systems, runId }) => grant(systems, to, reason(runId)),
      async undo({ systems, runId }) {
        // The same handover, backwards: the token never sits on two sites.
        const current = await systems.authority.read();
        if (current?.active === to) await fence(systems, to, { force: false, reason: `run ${runId}: rollback, token leaves ${to}` });
        if ((await systems.authority.read())?.active === 'none') {
          await drain(systems, to, { timeoutSeconds: systems.topology.guard.drainTimeoutSeconds, skipOff: true, siteMayBeLost: false });
          await grant(systems, from, `run ${runId}: rollback, token back to ${from}`);
        }
      },
      retry: { attempts: 8, baseDelayMs: 500, maxDelayMs: 4000 },
      timeoutSeconds: 180,
    },
  };
}

export function stopSourceStep(from: string): Step<S> {
  return {
    id: 'switch.stop-source',
    phase: 'switch',
    title: `stop the ${from} VMs`,
    describe: ({ systems }) => `guest shutdown, then power off, of ${vmsOf(systems.topology, from).length} VMs on vCenter ${from}`,
    async check({ systems }) {
      const states = await systems.vcenter(from).powerStates(vmsOf(systems.topology, from));
      return [...states.values()].every((s) => s === 'poweredOff') ? { output: { alreadyOff: true } } : undefined;
    },
    async act({ systems }) {
      await boundedAll(vmsOf(systems.topology, from), FAN_OUT, (vm) => systems.vcenter(from).ensureOff(vm, { guestShutdownTimeoutMs: 60_000 }));
    },
    async undo({ systems }) {
      await boundedAll(vmsOf(systems.topology, from), FAN_OUT, (vm) => systems.vcenter(from).ensureRunning(vm));
    },
    timeoutSeconds: 600,
  };
}

export function commitSteps(from: string, to: string, options: { readonly reverseProtection: boolean }): Step<S>[] {
  return [
    {
      id: 'commit.zerto',
      phase: 'commit',
      title: `Zerto commit${options.reverseProtection ? ' with reverse protection' : ''}`,
      describe: (ctx) => `commit ${vpgsOf(ctx, from, to).map((g) => g.name).join(', ')}: past this point the only way back is a new failover`,
      async check(ctx) {
        for (const spec of vpgsOf(ctx, from, to)) {
          if (isBeforeCommit(await ctx.systems.zerto(to).getVpg(spec.name))) return undefined;
        }
        return { output: { alreadyCommitted: true } };
      },
      async act(ctx) {
        const { systems } = ctx;
        const tasks: Record<string, string> = {};
        for (const spec of vpgsOf(ctx, from, to)) {
          const vpg = await systems.zerto(to).getVpg(spec.name);
          if (!isBeforeCommit(vpg)) continue;
          tasks[spec.name] = await systems.zerto(to).commit(spec.name, { reverseProtection: options.reverseProtection });
        }
        for (const id of Object.values(tasks)) await systems.zerto(to).waitForTask(id, { timeoutMs: 540_000, intervalMs: 200 });
        return { tasks };
      },
      pointOfNoReturn: true,
      timeoutSeconds: 600,
    },
    {
      id: 'commit.protected',
      phase: 'commit',
      title: options.reverseProtection ? `replication ${to} -> ${from} meeting its SLA` : `VPGs recovered on ${to}`,
      describe: () => (options.reverseProtection ? `wait until the reversed VPGs replicate ${to} -> ${from} within their RPO` : 'read the VPGs once'),
      async act(ctx) {
        const { systems } = ctx;
        const statuses: Record<string, string> = {};
        for (const spec of vpgsOf(ctx, from, to)) {
          const vpg = options.reverseProtection
            ? await systems.zerto(to).waitForVpg(spec.name, 'MeetingSLA', (v) => v.statusName === 'MeetingSLA', { timeoutMs: 1_800_000, intervalMs: 250 })
            : await systems.zerto(to).getVpg(spec.name);
          statuses[spec.name] = `${vpg.statusName} ${vpg.sourceSite ?? '?'} -> ${vpg.targetSite ?? '?'}`;
        }
        return { vpgs: statuses, recovered: recoveredOf(ctx, from, to) };
      },
      timeoutSeconds: 1900,
    },
  ];
}
