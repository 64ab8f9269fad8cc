import { ActiveSiteRecord } from '../../active-site-record';
import { resolveHcl } from '../../failback-expressions';
import type { PolicyRule } from '../rule';

/** The attribute that holds the address, per backend resource type. */
function declaredTarget(attributes: Record<string, unknown>): unknown {
  if ('target' in attributes) return attributes.target;
  const list = (attributes.records ?? attributes.addresses) as unknown[] | undefined;
  return list?.length === 1 ? list[0] : list;
}

export const recordFollowsActiveSite: PolicyRule = {
  id: 'PRA-DNS-002',
  explanation: 'The record must point at the public IP of var.active_site; a fixed address keeps traffic on a site that may no longer be active.',
  fix: 'Remove the override of the record target; change active_site in the failback state instead.',
  check(node, app) {
    if (!(node instanceof ActiveSiteRecord)) return undefined;
    const declared = declaredTarget(app.attributesOf(node.resource));
    const expected = resolveHcl(node, node.targetExpression);
    return declared === expected ? undefined : `record targets ${JSON.stringify(declared)} instead of ${JSON.stringify(expected)}`;
  },
};
