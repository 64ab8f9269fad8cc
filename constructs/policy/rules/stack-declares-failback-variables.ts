import { TerraformStack, TerraformVariable } from 'cdktf';
import { STATE_KEYS } from '../../../topology/state';
import type { PolicyRule } from '../rule';

export const stackDeclaresFailbackVariables: PolicyRule = {
  id: 'PRA-STK-001',
  explanation: "`cdktf deploy '*' --var failback_site=...` fails on any stack that does not declare the variable.",
  fix: 'Declare failback_site, enable_failback_pause_mode and active_site directly on the stack (extend PraStack).',
  check(node) {
    if (!TerraformStack.isStack(node)) return undefined;
    const missing = STATE_KEYS.filter((key) => !(node.node.tryFindChild(key) instanceof TerraformVariable));
    return missing.length ? `stack ${node.node.id} does not declare ${missing.join(', ')}` : undefined;
  },
};
