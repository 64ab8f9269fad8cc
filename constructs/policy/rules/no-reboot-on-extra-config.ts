import { VirtualMachine } from '@cdktf/provider-vsphere/lib/virtual-machine';
import type { PolicyRule } from '../rule';

export const noRebootOnExtraConfig: PolicyRule = {
  id: 'PRA-VM-002',
  explanation: 'The vSphere provider reboots a VM on any extra_config change unless told not to; a failback state change must never reboot production.',
  fix: 'Set extra_config_reboot_required = false on the VM (ProtectedVm does).',
  check(node, app) {
    if (!(node instanceof VirtualMachine)) return undefined;
    const attributes = app.attributesOf(node);
    const declaresFailbackKeys = Object.keys((attributes.extra_config ?? {}) as object).some((key) => key.startsWith('pra.') || key.startsWith('guestinfo.pra.'));
    if (!declaresFailbackKeys || attributes.extra_config_reboot_required === false) return undefined;
    return `VM ${String(attributes.name)} has extra_config_reboot_required = ${JSON.stringify(attributes.extra_config_reboot_required ?? '(unset: true)')}`;
  },
};
