import { VirtualMachine } from '@cdktf/provider-vsphere/lib/virtual-machine';
import type { TerraformVariable } from 'cdktf';
import { ExtraConfigKey } from '../../extra-config';
import { resolveHcl, startupModeExpression } from '../../failback-expressions';
import { stackVariable } from '../app-index';
import type { PolicyRule } from '../rule';

/**
 * A VM may start suspended only when its own site is the failback target, pause mode is on and the site is
 * not active. A literal
 * `suspended`, or the condition of another site, would pause the wrong VMs (or production itself).
 */
export const pauseOnlyOnFailbackTarget: PolicyRule = {
  id: 'PRA-VM-003',
  explanation: 'pra.failback.startup_mode may be suspended only on the failback target site, while pause mode is on and it is not active.',
  fix: 'Declare the VM through ProtectedVm (site = the VM\'s own site), or set startup_mode to "normal".',
  check(node, app) {
    if (!(node instanceof VirtualMachine)) return undefined;
    const extraConfig = (app.attributesOf(node).extra_config ?? {}) as Record<string, unknown>;
    const declared = extraConfig[ExtraConfigKey.startupMode];
    if (declared === undefined || declared === 'normal') return undefined;
    const site = extraConfig[ExtraConfigKey.site];
    const failbackSite = stackVariable(node, 'failback_site') as TerraformVariable | undefined;
    const pauseMode = stackVariable(node, 'enable_failback_pause_mode') as TerraformVariable | undefined;
    const activeSite = stackVariable(node, 'active_site') as TerraformVariable | undefined;
    if (typeof site === 'string' && failbackSite && pauseMode && activeSite) {
      const expected = resolveHcl(node, startupModeExpression({ failbackSite, pauseMode, activeSite }, site));
      if (declared === expected) return undefined;
    }
    return `VM ${String(app.attributesOf(node).name)} on site ${JSON.stringify(site)} declares startup_mode ${JSON.stringify(declared)}`;
  },
};
