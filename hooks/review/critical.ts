import { ExtraConfigKey } from '../../constructs/extra-config';
import type { HclValue } from './hcl-expression';
import type { SemanticDiff } from './semantic-diff';

/** What a reviewer must not miss, first in the comment. */
export interface CriticalItem {
  /** `power`: a VM's start-up mode or a key whose change reconfigures or restarts it; `destroy`; `dns-target`. */
  readonly kind: 'power' | 'destroy' | 'dns-target';
  readonly stack: string;
  readonly address: string;
  readonly attribute?: string;
  readonly from?: HclValue;
  readonly to?: HclValue;
}

/**
 * VM attributes whose change decides how a VM powers on: the start-up mode and failback flag the engine
 * reads, the reboot switch (H8: the provider then restarts the VM on every extra_config change) and the
 * sizing a running VM may need a power cycle to take.
 */
const POWER_ATTRIBUTES = new Set([
  `extra_config["${ExtraConfigKey.startupMode}"]`,
  `extra_config["${ExtraConfigKey.failbackEnabled}"]`,
  'extra_config_reboot_required',
  'num_cpus',
  'memory',
]);

/** Where each DNS backend's record keeps its target (constructs/active-site-record.ts). */
const DNS_TARGET = /^(ovh_domain_zone_record\.[^ ]+ target|aws_route53_record\.[^ ]+ records\[\d+\]|dns_a_record_set\.[^ ]+ addresses\[\d+\])$/;

export function criticalItems(diff: SemanticDiff): CriticalItem[] {
  const items: CriticalItem[] = [];
  for (const change of diff.resources) {
    const { stack, address } = change;
    if (change.action === 'delete' && !address.startsWith('data.')) items.push({ kind: 'destroy', stack, address });
    for (const { attribute, from, to } of change.attributes) {
      if (address.startsWith('vsphere_virtual_machine.') && POWER_ATTRIBUTES.has(attribute)) items.push({ kind: 'power', stack, address, attribute, from, to });
      else if (DNS_TARGET.test(`${address} ${attribute}`)) items.push({ kind: 'dns-target', stack, address, attribute, from, to });
    }
  }
  return items;
}

export function hasChanges(diff: SemanticDiff): boolean {
  return Boolean(diff.base?.unsynthesizable) || [diff.variables, diff.resources, diff.vpgs, diff.userData].some((list) => list.length > 0);
}

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** One line fit for a pull-request check title. */
export function summaryLine(diff: SemanticDiff): string {
  if (!hasChanges(diff)) return 'pra diff: no change';
  const parts: string[] = [];
  if (diff.base?.unsynthesizable) parts.push(`base ${diff.base.ref} does not synthesize, head shown alone`);
  const actions = ['create', 'update', 'delete'] as const;
  const byAction = actions.map((a) => diff.resources.filter((r) => r.action === a && !r.address.startsWith('data.')).length);
  if (byAction.some((n) => n > 0)) parts.push(`${byAction[0]} to create, ${byAction[1]} to update, ${byAction[2]} to destroy`);
  const critical = criticalItems(diff);
  const vms = new Set(critical.filter((c) => c.kind === 'power').map((c) => c.address)).size;
  if (vms) parts.push(`${count(vms, 'VM')} with start-up or power keys changed`);
  const target = critical.find((c) => c.kind === 'dns-target');
  if (target) parts.push(`DNS target ${String(target.from)} -> ${String(target.to)}`);
  if (diff.vpgs.length) parts.push(`${count(diff.vpgs.length, 'VPG')} changed`);
  if (diff.userData.length) parts.push(`guard userdata changed in ${count(diff.userData.length, 'stack')}`);
  if (diff.variables.length) parts.push(`variables: ${diff.variables.map((v) => `${v.variable}=${String(v.to)}`).join(' ')}`);
  return `pra diff: ${parts.join('; ')}`;
}
