import type { FailbackState } from '../../topology';
import type { Step, StepContext } from '../engine/step';
import { journaledPauseWatcher } from './pause-watcher';
import { isBeforeCommit } from '../drivers/zerto/model';
import type { FailbackSystems } from './systems';
import { recoveredOf, vpgsOf } from './topology-views';
import { matchRecovered, recoveryCandidates } from './recovered-vms';

type S = FailbackSystems;

/** A step that changes the failback state; `nextState` lets `pra plan` review the change without running it. */
export interface StateStep extends Step<S> {
  readonly nextState: (current: FailbackState) => FailbackState;
}

export function isStateStep(step: Step<S>): step is StateStep {
  return typeof (step as Partial<StateStep>).nextState === 'function';
}

/** A state-toggle step: writes the failback state, re-synthesizes, journals the review; undo restores the previous one. */
export function stateStep(id: string, phase: string, title: string, next: (current: FailbackState) => FailbackState): StateStep {
  return {
    id,
    phase,
    title,
    nextState: next,
    describe: ({ systems }) => `write ${JSON.stringify(next(systems.state.read()))} to the failback state and re-synthesize`,
    async check({ systems }) {
      const current = systems.state.read();
      const wanted = next(current);
      return JSON.stringify(current) === JSON.stringify(wanted) ? { output: { unchanged: true } } : undefined;
    },
    async act({ systems }) {
      const current = systems.state.read();
      const review = systems.state.write(next(current));
      return { previous: { ...current }, review };
    },
    async undo({ systems, outputs }) {
      const previous = (outputs[id] as { previous?: FailbackState } | undefined)?.previous;
      if (previous) systems.state.write(previous);
    },
    timeoutSeconds: 120,
  };
}

export function checkpointStep(from: string, to: string): Step<S> {
  const tag = (runId: string) => `pra-${runId}`;
  return {
    id: 'restore.checkpoint',
    phase: 'restore',
    title: 'tag a Zerto checkpoint on each VPG',
    describe: (ctx) => `tag checkpoint ${tag(ctx.runId)} on ${vpgsOf(ctx, from, to).map((g) => g.name).join(', ')}`,
    async act(ctx) {
      const tagged: Record<string, string> = {};
      for (const vpg of vpgsOf(ctx, from, to)) tagged[vpg.name] = (await ctx.systems.zerto(to).tagCheckpoint(vpg.name, tag(ctx.runId))).id;
      return { tag: tag(ctx.runId), checkpoints: tagged };
    },
    timeoutSeconds: 120,
  };
}

/**
 * Starts the Zerto recovery of every VPG from -> to (Move or Failover as the VPG says, commit policy None)
 * while the pause watcher suspends each recovered VM as soon as it powers on; done when every VPG waits
 * before commit and every recovered VM is suspended. Boot windows are journaled as progress.
 * Recovered VMs are found through Zerto's VM list of each VPG and the recovery site's vCenter, under the
 * protected VM's name or its topology peer's (H12); the output's `recovered` names them for later steps.
 */
export function recoverStep(from: string, to: string, options: { readonly pause: boolean; readonly sourceMayBeLost: boolean }): Step<S> {
  const vms = (ctx: StepContext<S>) => recoveredOf(ctx, from, to);
  const candidates = (ctx: StepContext<S>) => recoveryCandidates(ctx.systems.zerto(to), ctx.systems.topology, vpgsOf(ctx, from, to).map((g) => g.name));
  // A Move needs both sites healthy (it shuts the protected VMs down first, else it stops and rolls back: Zerto's
  // "The Move Process"): from a site that may be lost, every VPG fails over, as Zerto's guides say for a disaster.
  const kindOf = (vpg: { recovery: 'move' | 'failover' }) => (options.sourceMayBeLost ? 'failover' : vpg.recovery);
  return {
    id: 'restore.recover',
    phase: 'restore',
    title: `Zerto recovery ${from} -> ${to}${options.pause ? ', each VM suspended as it boots' : ''}`,
    describe: (ctx) =>
      `start ${vpgsOf(ctx, from, to).map((g) => `${kindOf(g)} of ${g.name}`).join(', ')} (commit policy none)${options.pause ? `; suspend ${vms(ctx).length} VMs on ${to} as they power on (vCenter ${to})` : ''}`,
    async check(ctx) {
      for (const vpg of vpgsOf(ctx, from, to)) {
        if (!isBeforeCommit(await ctx.systems.zerto(to).getVpg(vpg.name))) return undefined;
      }
      const recovered = await matchRecovered(ctx.systems.vcenter(to), to, await candidates(ctx));
      if (!options.pause) return { output: { resumedCheck: true, recovered: recovered.map((r) => ({ ...r })) } };
      const states = await ctx.systems.vcenter(to).powerStates(recovered.map((r) => r.vm));
      return [...states.values()].every((s) => s === 'suspended') ? { output: { resumedCheck: true, recovered: recovered.map((r) => ({ ...r })) } } : undefined;
    },
    async act(ctx) {
      const { systems } = ctx;
      const zerto = systems.zerto(to);
      const groups = await candidates(ctx);
      const paused = options.pause ? journaledPauseWatcher(systems.vcenter(to), groups.map((c) => c.names), (message, data) => ctx.progress(message, data)) : undefined;
      const watcher = paused?.watcher;
      const windows = paused?.windows ?? [];
      watcher?.start();
      try {
        const tasks: Record<string, string> = {};
        for (const spec of vpgsOf(ctx, from, to)) {
          const vpg = await zerto.getVpg(spec.name);
          if (isBeforeCommit(vpg) || vpg.statusName === 'Moving' || vpg.statusName === 'FailingOver') continue; // already started by a crashed run
          tasks[spec.name] =
            kindOf(spec) === 'move'
              ? await zerto.move(spec.name, { commitPolicy: 'none', reverseProtection: true })
              : await zerto.failover(spec.name, { commitPolicy: 'none', shutdownPolicy: 'none', reverseProtection: !options.sourceMayBeLost });
          ctx.progress(`${kindOf(spec)} of ${spec.name} started`, { task: tasks[spec.name] });
        }
        for (const spec of vpgsOf(ctx, from, to)) {
          const wait = { timeoutMs: 540_000, intervalMs: 200 };
          // With the task in hand a failed recovery ends the wait at once; a run resumed after a crash has only the VPG.
          if (tasks[spec.name]) await zerto.waitForBeforeCommit(spec.name, tasks[spec.name], wait);
          else await zerto.waitForVpg(spec.name, 'waiting before commit', isBeforeCommit, wait);
        }
        await watcher?.allSuspended(ctx.signal);
        const recovered = await matchRecovered(systems.vcenter(to), to, groups);
        return { tasks, bootWindows: windows, recovered: recovered.map((r) => ({ ...r })) };
      } finally {
        await watcher?.stop();
      }
    },
    async undo(ctx) {
      const { systems, signal } = ctx;
      const zerto = systems.zerto(to);
      for (const spec of vpgsOf(ctx, from, to)) {
        const vpg = await zerto.getVpg(spec.name);
        if (!isBeforeCommit(vpg)) continue;
        await zerto.rollback(spec.name);
        await zerto.waitForVpg(spec.name, 'rolled back to MeetingSLA', (v) => v.statusName === 'MeetingSLA', { timeoutMs: 300_000, intervalMs: 200 });
      }
      // Every VM a recovery may have brought up, under either name, that vCenter knows.
      const names = [...new Set([...vms(ctx), ...(await candidates(ctx)).flatMap((c) => c.names)])];
      for (const vm of (await systems.vcenter(to).powerStates(names)).keys()) {
        if (signal.aborted) break;
        await systems.vcenter(to).ensureOff(vm, { guestShutdownTimeoutMs: 0 });
      }
    },
    timeoutSeconds: 600,
  };
}
