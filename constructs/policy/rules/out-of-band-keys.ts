import { VirtualMachine } from '@cdktf/provider-vsphere/lib/virtual-machine';
import { OUT_OF_BAND_KEYS } from '../../extra-config';
import type { PolicyRule } from '../rule';

export const outOfBandKeysNotDeclared: PolicyRule = {
  id: 'PRA-VM-001',
  explanation: 'The engine writes guestinfo.pra.active_site and guestinfo.pra.epoch through vCenter; declaring them would let a deploy revert a handover.',
  fix: 'Remove the key from extra_config (and from any addOverride).',
  check(node, app) {
    if (!(node instanceof VirtualMachine)) return undefined;
    const extraConfig = (app.attributesOf(node).extra_config ?? {}) as Record<string, unknown>;
    const declared = OUT_OF_BAND_KEYS.filter((key) => key in extraConfig);
    return declared.length ? `VM ${String(app.attributesOf(node).name)} declares ${declared.join(', ')}` : undefined;
  },
};
