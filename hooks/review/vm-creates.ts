import { readFileSync } from 'node:fs';
import { InputError } from '../../topology';

/** A `vsphere_virtual_machine` a Terraform plan would create (clone), by its resource address and VM name. */
export interface PlannedVmCreate {
  readonly address: string;
  readonly vm: string;
}

const VM_TYPE = 'vsphere_virtual_machine';

/**
 * The VMs a plan in Terraform's JSON form (`terraform show -json PLANFILE`, format documented by HashiCorp as
 * "JSON Output Format": `resource_changes[].change.actions`, `.change.after`) creates while no object of that
 * address is destroyed first: a plain create, or create-before-destroy. A replace that deletes first never
 * meets the old VM by name, so it is not listed. Bad input names the file, the field and the fix.
 */
export function plannedVmCreates(file: string): PlannedVmCreate[] {
  const fail = (field: string, problem: string): never => {
    throw new InputError(file, [`${file}: ${field}: ${problem}`, '  fix: pass the output of `terraform show -json PLANFILE` for this stack']);
  };
  let plan: unknown;
  try {
    plan = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return fail('(file)', (error as NodeJS.ErrnoException).code ? `cannot read it (${(error as Error).message})` : `not JSON (${(error as Error).message})`);
  }
  const changes = (plan as { resource_changes?: unknown }).resource_changes;
  if (changes === undefined) return [];
  if (!Array.isArray(changes)) return fail('resource_changes', 'must be an array');
  return changes.flatMap((change: unknown, i): PlannedVmCreate[] => {
    const c = change as { address?: unknown; type?: unknown; change?: { actions?: unknown; after?: { name?: unknown } } };
    if (c.type !== VM_TYPE) return [];
    const actions = c.change?.actions;
    if (!Array.isArray(actions)) return fail(`resource_changes[${i}].change.actions`, 'must be an array of actions');
    if (actions[0] !== 'create') return [];
    const name = c.change?.after?.name;
    if (typeof name !== 'string' || !name) return fail(`resource_changes[${i}].change.after.name`, `must be the VM name ${String(c.address)} creates`);
    return [{ address: String(c.address), vm: name }];
  });
}
