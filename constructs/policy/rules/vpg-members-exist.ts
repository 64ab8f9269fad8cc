import { ProtectionGroup } from '../../protection-group';
import type { PolicyRule } from '../rule';

export const vpgMembersExist: PolicyRule = {
  id: 'PRA-VPG-001',
  explanation: 'Every VM a VPG replicates must be declared in the app, on the VPG\'s source site, and protected.',
  fix: 'Declare the VM on the source site (protected), or remove it from the VPG.',
  check(node, app) {
    if (!(node instanceof ProtectionGroup)) return undefined;
    const problems = node.spec.vms.flatMap((name) => {
      const vm = app.vmsByName.get(name);
      if (!vm) return [`${name} is not declared`];
      if (vm.site !== node.spec.sourceSite) return [`${name} is on ${vm.site}, not on source site ${node.spec.sourceSite}`];
      if (!vm.isProtected) return [`${name} is declared protected: false`];
      return [];
    });
    return problems.length ? `VPG ${node.spec.name}: ${problems.join('; ')}` : undefined;
  },
};
