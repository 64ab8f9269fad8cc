import { ProtectedVm } from '../../protected-vm';
import type { PolicyRule } from '../rule';

export const protectedVmInVpg: PolicyRule = {
  id: 'PRA-VM-005',
  explanation: 'A protected VM that no VPG replicates would be missing on the other site after a failover.',
  fix: 'Add the VM to a VPG whose source is its site, or set protected: false.',
  check(node, app) {
    if (!(node instanceof ProtectedVm) || !node.isProtected) return undefined;
    return app.groupOfVm.has(node.vmName) ? undefined : `VM ${node.vmName} (site ${node.site}) is in no VPG`;
  },
};
