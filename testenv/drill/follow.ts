import { join } from 'node:path';
import { writeFileAtomic } from '../../hooks/drivers/common/atomic-file';
import { boundedAll } from '../../hooks/drivers/common/concurrency';
import { NotFoundError } from '../../hooks/drivers/common/errors';
import { realSleep } from '../../hooks/drivers/common/retry';
import type { PowerState, VsphereClient } from '../../hooks/drivers/vsphere';
import type { FailbackSystems } from '../../hooks/steps/systems';
import { REPO_ROOT } from '../core';
import { guestRoot, type GuestFleet } from '../guests/fleet';

/** The file the VMware Tools stand-in (testenv/guest/vmware-rpctool) answers a guest's `info-get` from. */
const GUESTINFO_FILE = 'run/vmx-guestinfo';

/** What a guest's guard needs to read its VM's guestinfo as on VMware: the Tools stand-in first on its PATH. */
export function guestinfoEnv(dir: string, vm: string): Record<string, string> {
  return { PATH: `${join(REPO_ROOT, 'testenv', 'guest')}:${process.env.PATH ?? '/usr/bin:/bin'}`, PRA_FAKE_GUESTINFO: join(guestRoot(dir, vm), GUESTINFO_FILE) };
}

/** A simulated guest and the vCenter VMs that may run it, the first existing one first (recovered-model.ts). */
interface FollowedGuest {
  readonly vm: string;
  readonly vcenter: VsphereClient;
  /** @default [vm] */
  readonly names?: readonly string[];
}

/** The VMX of the first of `names` that exists. */
async function firstExisting(vcenter: VsphereClient, names: readonly string[]): Promise<Record<string, string>> {
  for (const name of names.slice(0, -1)) {
    try {
      return await vcenter.readExtraConfig(name);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
  }
  return vcenter.readExtraConfig(names[names.length - 1]);
}

/**
 * Copies each VM's guestinfo.* from its vCenter into its guest (what VMware Tools would read from the VMX)
 * every `intervalMs` until `signal` aborts; resolves after the first copy of every VM. `refresh(vm)` copies
 * one VM's at once (before a resume: the guest must not run on a copy older than its VMX).
 */
export async function followGuestinfo(
  dir: string,
  vms: readonly FollowedGuest[],
  signal: AbortSignal,
  intervalMs = 200,
): Promise<{ done: Promise<void>; refresh(vm: string): Promise<void> }> {
  const copyOne = async ({ vm, vcenter, names }: FollowedGuest) => {
    const config = await firstExisting(vcenter, names ?? [vm]);
    const lines = Object.entries(config).filter(([key]) => key.startsWith('guestinfo.') && !key.startsWith('guestinfo.userdata') && !key.startsWith('guestinfo.metadata'));
    writeFileAtomic(join(guestRoot(dir, vm), GUESTINFO_FILE), lines.map(([k, v]) => `${k}=${v}\n`).join(''));
  };
  const copy = () => boundedAll(vms, 8, copyOne);
  await copy();
  const done = (async () => {
    while (!signal.aborted) {
      await realSleep(intervalMs);
      if (!signal.aborted) await copy().catch(() => undefined); // a missed copy leaves the last one: the guard reads it as stale, not wrong
    }
  })();
  return {
    done,
    refresh: async (vm) => {
      const entry = vms.find((v) => v.vm === vm);
      if (entry) await copyOne(entry);
    },
  };
}

export interface FollowedSite {
  readonly site: string;
  readonly vcenter: VsphereClient;
  /** vCenter VM name -> the simulated guest it runs (a protected VM's guest under its own and its recovered names). */
  readonly guests: ReadonlyMap<string, string>;
}

export interface GuestFollowers {
  /** Every simulated guest of `site` takes the power state vCenter shows now (the poll may be seconds late). */
  sync(site: string): Promise<void>;
  /** Stops following and waits for the changes already seen to reach their guests. */
  stop(): Promise<void>;
}

/**
 * The simulated guests follow their VMs in vCenter: each one's guestinfo (followGuestinfo) and its power state,
 * polled every 50 ms. A VM's power changes reach its guest in order. A resume first refreshes what its VMware
 * Tools answer (the engine writes a suspended VM's identity just before it resumes it). The poll may see a boot
 * seconds late on a busy machine: harmless, the simulator laid the recovered disk before powering the VM on.
 */
export async function followGuests(dir: string, systems: FailbackSystems, fleet: GuestFleet, sites: readonly FollowedSite[], log: (line: string) => void): Promise<GuestFollowers> {
  const follow = new AbortController();
  const namesOf = (guests: ReadonlyMap<string, string>, vm: string) => [...guests].filter(([, guest]) => guest === vm).map(([name]) => name);
  const guestinfo = await followGuestinfo(
    dir,
    sites.flatMap(({ vcenter, guests }) => [...new Set(guests.values())].map((vm) => ({ vm, vcenter, names: namesOf(guests, vm) }))),
    follow.signal,
  );
  const applied = new Map<string, Promise<void>>();
  const apply = (vm: string, state: PowerState): Promise<void> => {
    const next = (applied.get(vm) ?? Promise.resolve())
      .then(async () => {
        if (state === 'poweredOn' && fleet.running(vm)) await guestinfo.refresh(vm).catch(() => undefined); // the follower's last copy stands
        fleet.onPowerState(vm, state);
      })
      .catch((error: Error) => log(`drill: guest of ${vm}: ${error.message}`));
    applied.set(vm, next);
    return next;
  };
  const watchers = sites.map(({ site, guests }) =>
    systems.vcenter(site).watchPowerStates([...guests.keys()], (change) => apply(guests.get(change.vm)!, change.state), { signal: follow.signal, intervalMs: 50 }),
  );
  return {
    async sync(site) {
      const { guests } = sites.find((s) => s.site === site)!;
      const states = await systems.vcenter(site).powerStates([...guests.keys()]);
      await Promise.all([...states].map(([name, state]) => apply(guests.get(name)!, state)));
    },
    async stop() {
      follow.abort();
      await Promise.allSettled([...watchers, guestinfo.done, ...applied.values()]);
    },
  };
}
