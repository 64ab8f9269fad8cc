import { PermanentError } from '../drivers/common/errors';
import { zertoSiteName } from '../drivers/zerto/config';
import { isRecoveredWithoutProtection } from '../drivers/zerto/model';
import type { Step } from '../engine/step';
import type { FailbackSystems } from './systems';
import { RESOLVED_VPGS_STEP, recoveredOf, vmsOf, vpgsOf } from './topology-views';

type S = FailbackSystems;

/** Phase 0: nothing is touched; every check fails the run before anything moves. */
export function preflightSteps(from: string, to: string, options: { readonly sourceMayBeLost: boolean }): Step<S>[] {
  return [
    {
      id: 'preflight.state',
      phase: 'preflight',
      title: `failback state and authority say ${from} is active`,
      describe: () => `read failback.auto.tfvars.json and the authority: both must name ${from} as the active site`,
      async act({ systems }) {
        const state = systems.state.read();
        if (state.active_site !== from) {
          throw new PermanentError('failback state', `active_site is ${state.active_site}, not ${from}: the stacks do not describe a run on ${from}; check with pra status`);
        }
        const record = await systems.authority.read();
        if (record?.active !== from) {
          throw new PermanentError(systems.authority.description, `says active=${record?.active ?? '(no record)'} at epoch ${record?.epoch ?? 0}, not ${from}; check with pra status`);
        }
        return { epoch: record.epoch, state: { ...state } };
      },
      timeoutSeconds: 30,
    },
    {
      id: RESOLVED_VPGS_STEP,
      phase: 'preflight',
      title: `VPGs replicating ${from} -> ${to}, as Zerto sees them now`,
      describe: () => `read the topology's VPGs between ${from} and ${to} on Zerto ${to}: keep those replicating ${from} -> ${to} (reverse protection flips a VPG but keeps its name)`,
      async act({ systems }) {
        const zertoName = (name: string) => {
          const site = systems.topology.sites.find((s) => s.name === name);
          return (site ? zertoSiteName(site) : name).toLowerCase();
        };
        const [source, target] = [zertoName(from), zertoName(to)];
        const vpgs: string[] = [];
        for (const spec of systems.topology.vpgs.filter((g) => [g.source, g.target].sort().join() === [from, to].sort().join())) {
          const live = await systems.zerto(to).findVpg(spec.name);
          if (live && !isRecoveredWithoutProtection(live) && live.sourceSite?.toLowerCase() === source && live.targetSite?.toLowerCase() === target) vpgs.push(spec.name);
        }
        if (!vpgs.length) throw new PermanentError(`zerto ${to}`, `no VPG of the topology replicates ${from} -> ${to} now; check replication with pra status`);
        return { vpgs };
      },
      timeoutSeconds: 60,
    },
    {
      id: 'preflight.vcenters',
      phase: 'preflight',
      title: `vCenters answer; ${to} VMs are known`,
      describe: () => `log in to both vCenters, read power states of ${from} and ${to} VMs`,
      async act(ctx) {
        const { systems } = ctx;
        const target = await systems.vcenter(to).powerStates(recoveredOf(ctx, from, to));
        if (options.sourceMayBeLost) return { target: Object.fromEntries(target) };
        const source = await systems.vcenter(from).powerStates(vmsOf(systems.topology, from));
        const down = [...source].filter(([, state]) => state !== 'poweredOn').map(([vm, state]) => `${vm} ${state}`);
        if (down.length) throw new PermanentError(`vcenter ${from}`, `${down.join(', ')}: the application is not fully running on ${from}; fix it first`);
        return { source: Object.fromEntries(source), target: Object.fromEntries(target) };
      },
      timeoutSeconds: 60,
    },
    {
      id: 'preflight.zerto',
      phase: 'preflight',
      title: `VPGs ${from} -> ${to} protecting within their RPO`,
      describe: () => `check each VPG ${from} -> ${to}: MeetingSLA, RPO under target, no error alert, no operation in progress`,
      async act(ctx) {
        const { systems } = ctx;
        const rpo: Record<string, number> = {};
        for (const spec of vpgsOf(ctx, from, to)) {
          const zerto = systems.zerto(to);
          const vpg = await zerto.getVpg(spec.name);
          if (vpg.statusName !== 'MeetingSLA') throw new PermanentError(`zerto ${to}`, `${spec.name} is ${vpg.statusName}/${vpg.subStatusName}, not MeetingSLA: wait for it or fix replication`);
          if (vpg.actualRpoSeconds > spec.rpoTargetSeconds) throw new PermanentError(`zerto ${to}`, `${spec.name}: RPO ${vpg.actualRpoSeconds} s exceeds ${spec.rpoTargetSeconds} s`);
          const errors = (await zerto.alerts(spec.name)).filter((a) => a.level === 'Error');
          if (errors.length) throw new PermanentError(`zerto ${to}`, `${spec.name} has error alerts: ${errors.map((a) => a.description).join('; ')}`);
          rpo[spec.name] = vpg.actualRpoSeconds;
        }
        return { rpoSeconds: rpo };
      },
      timeoutSeconds: 60,
    },
  ];
}
