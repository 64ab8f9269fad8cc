import { ProtectedVm } from '../../protected-vm';
import type { PolicyRule } from '../rule';

export const protectedVmHasPeer: PolicyRule = {
  id: 'PRA-VM-004',
  explanation: 'A protected VM needs a peer on the other site to take over its role after a failover.',
  fix: 'Set peer to a VM of the other site declared in the app, or set protected: false.',
  check(node, app) {
    if (!(node instanceof ProtectedVm) || !node.isProtected) return undefined;
    if (node.peer === undefined) return `VM ${node.vmName} is protected but names no peer`;
    const peer = app.vmsByName.get(node.peer);
    if (!peer) return `VM ${node.vmName} names peer ${node.peer}, which the app does not declare`;
    if (peer.site === node.site) return `VM ${node.vmName} names peer ${node.peer}, which is on the same site ${node.site}`;
    return undefined;
  },
};
