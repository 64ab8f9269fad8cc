import { Fn, TerraformVariable, type TerraformStack } from 'cdktf';
import type { FailbackVariables } from '../constructs/failback-expressions';
import type { FailbackState } from '../topology/state';

/**
 * Declares `failback_site`, `enable_failback_pause_mode` and `active_site` directly on the stack, so their ids
 * stay plain (`-var failback_site=rbx` works) and `cdktf deploy '*' --var ...` finds them on every stack.
 * Defaults come from the reviewed state file: a plain deploy never prompts and applies what was reviewed.
 */
export function declareFailbackVariables(stack: TerraformStack, siteNames: readonly string[], state: FailbackState): FailbackVariables {
  const siteVariable = (id: 'failback_site' | 'active_site', description: string) => {
    const variable = new TerraformVariable(stack, id, { type: 'string', default: state[id], description });
    variable.addValidation({
      condition: Fn.contains([...siteNames], variable.stringValue),
      errorMessage: `${id} must be one of: ${siteNames.join(', ')}.`,
    });
    return variable;
  };
  return {
    failbackSite: siteVariable('failback_site', 'The site a failback brings production back to.'),
    pauseMode: new TerraformVariable(stack, 'enable_failback_pause_mode', {
      type: 'bool',
      default: state.enable_failback_pause_mode,
      description: 'When true, the VMs of the failback site are declared pra.failback.startup_mode = suspended.',
    }),
    activeSite: siteVariable('active_site', 'The site that serves traffic; the DNS record points at its public IP.'),
  };
}

/**
 * A credential the provider needs at deploy time, passed as `TF_VAR_<name>` and never written to the
 * synthesized JSON. The empty default plus a validation fails a deploy at once with the fix instead of
 * waiting at an interactive prompt.
 */
export function declareSecretVariable(stack: TerraformStack, name: string, description: string): TerraformVariable {
  const variable = new TerraformVariable(stack, name, { type: 'string', sensitive: true, default: '', description });
  variable.addValidation({
    // Written as text: cdktf's operators render a falsy operand ('' or 0) as `undefined`.
    condition: `\${length(var.${name}) > 0}`,
    errorMessage: `Set ${name}: export TF_VAR_${name}=... (${description}).`,
  });
  return variable;
}

/** Terraform variable names from site names (`eu-west` -> `eu_west`): TF_VAR_ names must be shell-safe. */
export function variableSuffix(site: string): string {
  return site.replace(/-/g, '_');
}
