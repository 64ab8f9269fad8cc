import { ProtectionGroup } from '../../protection-group';
import type { PolicyRule } from '../rule';

export const vpgSitesExist: PolicyRule = {
  id: 'PRA-VPG-002',
  explanation: 'A VPG replicates between two sites of the app; an unknown site means the recovery lands nowhere.',
  fix: 'Use site names declared in the topology for sourceSite and targetSite.',
  check(node, app) {
    if (!(node instanceof ProtectionGroup)) return undefined;
    const unknown = [node.spec.sourceSite, node.spec.targetSite].filter((site) => !app.sites.has(site));
    return unknown.length ? `VPG ${node.spec.name} names unknown site(s) ${unknown.join(', ')} (known: ${[...app.sites].join(', ')})` : undefined;
  },
};
