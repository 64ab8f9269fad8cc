import { GUESTINFO_ACTIVE_SITE, GUESTINFO_EPOCH } from '../../topology/guestinfo';
import { ExtraConfigKey } from '../../constructs/extra-config';
import { boundedAll, FAN_OUT } from '../drivers/common/concurrency';
import { PermanentError } from '../drivers/common/errors';
import type { Step, StepContext } from '../engine/step';
import type { FailbackSystems } from './systems';
import { recoveredInVcenter, recoveredOf } from './topology-views';

type S = FailbackSystems;

/** The identity a recovered VM must carry in its configuration before it runs: its site and the current fence. */
function identityOf(site: string, record: { readonly active: string; readonly epoch: number }): Record<string, string> {
  return { [ExtraConfigKey.site]: site, [GUESTINFO_ACTIVE_SITE]: record.active, [GUESTINFO_EPOCH]: String(record.epoch) };
}

function mismatches(wanted: Readonly<Record<string, string>>, config: Readonly<Record<string, string>>): string[] {
  return Object.entries(wanted)
    .filter(([key, value]) => config[key] !== value)
    .map(([key, value]) => `${key}=${JSON.stringify(config[key] ?? null)} (wanted ${value})`);
}

async function currentFence(ctx: StepContext<S>) {
  const record = await ctx.systems.authority.read();
  if (!record) throw new PermanentError('authority', 'no active-site record: nothing to fence the recovered VMs with; run pra status');
  return record;
}

/**
 * Hazard H11: a recovered VM is built from the other site's disks and its VMX may lack the declared
 * `guestinfo.pra.site` (Zerto does not document copying extraConfig). Before it runs, write this site and the
 * authority's current fence into each recovered VM's configuration through the recovery site's vCenter, and
 * read them back: its guard then knows where it is (and denies on the replicated file's other site).
 */
export function identityStep(
  from: string,
  to: string,
  /** A failover test writes its test VMs' identity in its own phase (`vms`: their names in vCenter). @default the recovered VMs */
  options: { readonly id: string; readonly phase: string; readonly vms: (ctx: StepContext<S>) => string[] } = { id: 'restore.identity', phase: 'restore', vms: (ctx) => recoveredInVcenter(ctx, from, to) },
): Step<S> {
  const { vms } = options;
  return {
    id: options.id,
    phase: options.phase,
    title: `write site ${to} and the current fence into each recovered VM`,
    describe: (ctx) => `write ${ExtraConfigKey.site}=${to}, ${GUESTINFO_ACTIVE_SITE} and ${GUESTINFO_EPOCH} (from the authority) into ${vms(ctx).length} VMs on vCenter ${to}, then read them back`,
    async check(ctx) {
      const wanted = identityOf(to, await currentFence(ctx));
      const configs = await boundedAll(vms(ctx), FAN_OUT, (vm) => ctx.systems.vcenter(to).readExtraConfig(vm));
      return configs.every((config) => mismatches(wanted, config).length === 0) ? { output: { alreadyWritten: true } } : undefined;
    },
    async act(ctx) {
      const record = await currentFence(ctx);
      const wanted = identityOf(to, record);
      const vcenter = ctx.systems.vcenter(to);
      await boundedAll(vms(ctx), FAN_OUT, async (vm) => {
        await vcenter.writeExtraConfig(vm, wanted);
        const wrong = mismatches(wanted, await vcenter.readExtraConfig(vm));
        if (wrong.length) throw new PermanentError(`vcenter ${to}`, `${vm}: read back ${wrong.join(', ')}`);
      });
      return { site: to, fence: `${record.active}@${record.epoch}`, vms: vms(ctx) };
    },
    timeoutSeconds: 120,
  };
}

/**
 * After the recovered VMs run: their `/etc/pra/site` still names the site whose disks they came from, which
 * the guard reads as a conflict with `guestinfo.pra.site` and denies. Rewrite it over SSH (and read it back)
 * before the cron token can reach this site.
 */
export function siteFileStep(from: string, to: string): Step<S> {
  const vms = (ctx: StepContext<S>) => recoveredOf(ctx, from, to);
  return {
    id: 'activation.site-file',
    phase: 'activation',
    title: `rewrite /etc/pra/site on the recovered ${to} VMs`,
    describe: (ctx) => `write ${to} to /etc/pra/site on ${vms(ctx).length} guests over SSH, ${FAN_OUT} at a time, and read it back`,
    async act(ctx) {
      await boundedAll(vms(ctx), FAN_OUT, async (vm) => {
        const holds = await ctx.systems.guests.writeSiteFile(vm, to);
        if (holds !== to) throw new PermanentError(`ssh ${vm}`, `/etc/pra/site reads back ${JSON.stringify(holds)}, wanted ${to}`);
      });
      return { site: to, vms: vms(ctx) };
    },
    retry: { attempts: 10, baseDelayMs: 500, maxDelayMs: 3000 },
    timeoutSeconds: 120,
  };
}
