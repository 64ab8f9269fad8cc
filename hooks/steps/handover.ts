import { boundedAll } from '../drivers/common/concurrency';
import { PermanentError, TransientError } from '../drivers/common/errors';
import type { GuestConfirmation, Publisher } from '../drivers/authority/publishers';
import type { Json } from '../engine/events';
import type { ActiveSiteRecord, FailbackSystems } from './systems';
import { vmsOf } from './topology-views';

/**
 * The cron token handover, the only way cron ownership moves (DESIGN "The safety model"):
 *   fence: `none` at n+1, every guest of the old site confirms it sees n+1 or is powered off;
 *   drain: jobs in flight on the old site end (bounded);
 *   grant: the new site at n+2, every guest of the new site confirms it.
 * Each part is idempotent: it reads the authority first and only moves it forward.
 */

const SYSTEM = 'handover';

export interface GuestView {
  readonly guest: string;
  readonly source: string;
  readonly sees?: { readonly active: string; readonly epoch: number };
  readonly error?: string;
}

/** Every publisher's confirmations of `call` (a publish or a read), as views. */
async function everywhere(systems: FailbackSystems, call: (p: Publisher) => Promise<GuestConfirmation[]>): Promise<GuestView[]> {
  const all = await Promise.all(systems.publishers.map(async (p) => (await call(p)).map((c) => view(p.source, c))));
  return all.flat();
}

function publishEverywhere(systems: FailbackSystems, record: ActiveSiteRecord): Promise<GuestView[]> {
  return everywhere(systems, (p) => p.publish(record));
}

/** What every guest source shows now, without writing. */
export function readEverywhere(systems: FailbackSystems): Promise<GuestView[]> {
  return everywhere(systems, (p) => p.read());
}

function view(source: string, c: GuestConfirmation): GuestView {
  return 'sees' in c ? { guest: c.guest, source, sees: c.sees } : { guest: c.guest, source, error: c.error.message };
}

/** The views `vmNames` read: their own (per-VM sources: guestinfo, file) and the shared ones (etcd: one view per endpoint). */
export function scoped(views: readonly GuestView[], vmNames: readonly string[]): GuestView[] {
  const vms = new Set(vmNames);
  return views.filter((v) => v.source === 'etcd' || vms.has(v.guest));
}

/** The views of `vmNames` that do not show `ok`. */
function unconfirmed(views: readonly GuestView[], vmNames: readonly string[], ok: (sees: { active: string; epoch: number }) => boolean): GuestView[] {
  return scoped(views, vmNames).filter((v) => !v.sees || !ok(v.sees));
}

function describe(views: readonly GuestView[]): string {
  return views.map((v) => `${v.guest} (${v.source}: ${v.sees ? `${v.sees.active}@${v.sees.epoch}` : v.error})`).join(', ');
}

function record(systems: FailbackSystems, active: string, epoch: number, reason: string): ActiveSiteRecord {
  return { active, epoch, by: systems.actor, at: systems.now().toISOString(), reason };
}

/** Moves the authority from `from` to `none` (n -> n+1) and waits for the old site's guests to confirm. */
export async function fence(systems: FailbackSystems, from: string, options: { readonly force: boolean; readonly reason: string }): Promise<Json> {
  const current = await systems.authority.read();
  let fenced: ActiveSiteRecord;
  if (current?.active === 'none') fenced = current;
  else if (current?.active === from) fenced = await systems.authority.compareAndSet(current.epoch, record(systems, 'none', current.epoch + 1, options.reason));
  else throw new PermanentError(SYSTEM, `the authority says active=${current?.active ?? '(no record)'} at epoch ${current?.epoch ?? 0}, not ${from}: another decision was taken; check pra status before going on`);
  const views = await publishEverywhere(systems, fenced);
  const fromVms = vmsOf(systems.topology, from);
  const states = await systems.vcenter(from).powerStates(fromVms).catch(() => new Map<string, string>());
  const waiting = unconfirmed(views, fromVms, (s) => s.epoch >= fenced.epoch && s.active !== from).filter((v) => states.get(v.guest) !== 'poweredOff');
  if (waiting.length && !options.force) {
    throw new TransientError(SYSTEM, `epoch ${fenced.epoch} (none) not confirmed by ${describe(waiting)}; they may still start jobs as ${from}. If ${from} is lost for good, go on with --force (epochs fence any guest that comes back)`);
  }
  return { epoch: fenced.epoch, unconfirmed: waiting.map((v) => `${v.guest}/${v.source}`) };
}

/** Waits until no guarded job is in flight on the guests of `site` (`pra-guard drain` over SSH). */
/**
 * Waits for the jobs in flight on `site`'s guests to end. `siteMayBeLost` (a failover with --force): a vCenter or
 * a guest that does not answer is the lost site, not a reason to stop; its guests are listed as unreachable (the
 * epoch already fences any of them that comes back).
 */
export async function drain(systems: FailbackSystems, site: string, options: { readonly timeoutSeconds: number; readonly skipOff: boolean; readonly siteMayBeLost: boolean }): Promise<Json> {
  const vms = vmsOf(systems.topology, site);
  const lost = (error: unknown) => {
    if (options.siteMayBeLost && error instanceof TransientError) return error;
    throw error;
  };
  let states: Map<string, string>;
  try {
    states = await systems.vcenter(site).powerStates(vms);
  } catch (error) {
    return { drained: [], unreachable: vms, lost: lost(error).message };
  }
  const running = vms.filter((vm) => !options.skipOff || states.get(vm) === 'poweredOn');
  const results = await boundedAll(running, systems.topology.guard.fanOut, async (vm) => {
    try {
      return { vm, ...(await systems.guests.guard(vm, ['drain', '--timeout', String(options.timeoutSeconds)], (options.timeoutSeconds + 15) * 1000)) };
    } catch (error) {
      return { vm, unreachable: lost(error).message };
    }
  });
  const stuck = results.filter((r) => 'exitCode' in r && r.exitCode !== 0) as { vm: string; exitCode: number; output: string }[];
  if (stuck.length) {
    throw new TransientError(SYSTEM, `jobs still in flight after ${options.timeoutSeconds} s on ${stuck.map((r) => `${r.vm} (${r.output.trim().split('\n').pop() ?? `exit ${r.exitCode}`})`).join(', ')}; wait for them or stop them, then pra resume`);
  }
  const unreachable = results.filter((r) => 'unreachable' in r).map((r) => r.vm);
  return unreachable.length ? { drained: running.filter((vm) => !unreachable.includes(vm)), unreachable } : { drained: running };
}

/** Moves the authority from `none` to `to` (n+1 -> n+2) and waits for the new site's guests to confirm. */
export async function grant(systems: FailbackSystems, to: string, reason: string): Promise<Json> {
  const current = await systems.authority.read();
  let granted: ActiveSiteRecord;
  if (current?.active === to) granted = current;
  else if (current?.active === 'none') granted = await systems.authority.compareAndSet(current.epoch, record(systems, to, current.epoch + 1, reason));
  else throw new PermanentError(SYSTEM, `the authority says active=${current?.active ?? '(no record)'} at epoch ${current?.epoch ?? 0}, not none: fence the old site first`);
  const views = await publishEverywhere(systems, granted);
  const waiting = unconfirmed(views, vmsOf(systems.topology, to), (s) => s.epoch === granted.epoch && s.active === to);
  if (waiting.length) throw new TransientError(SYSTEM, `epoch ${granted.epoch} (${to}) not yet seen by ${describe(waiting)}`);
  return { epoch: granted.epoch, active: to };
}
