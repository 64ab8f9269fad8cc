import { TerraformResource, TerraformStack } from 'cdktf';
import type { IConstruct } from 'constructs';
import { ActiveSiteRecord } from '../active-site-record';
import { resolveHcl } from '../failback-expressions';
import { ProtectedVm } from '../protected-vm';
import { ProtectionGroup } from '../protection-group';

/** What rules that relate constructs across stacks need, computed once per app (rules stay O(1) per node). */
export interface AppIndex {
  readonly vmsByName: ReadonlyMap<string, ProtectedVm>;
  /** Sites that hold at least one VM of the app. */
  readonly sites: ReadonlySet<string>;
  readonly groups: readonly ProtectionGroup[];
  /** VM name -> the VPG that protects it. */
  readonly groupOfVm: ReadonlyMap<string, ProtectionGroup>;
  readonly records: readonly ActiveSiteRecord[];
}

const cache = new WeakMap<IConstruct, AppIndex>();

export function appIndexOf(node: IConstruct): AppIndex {
  const root = node.node.root;
  let index = cache.get(root);
  if (!index) {
    index = buildIndex(root);
    cache.set(root, index);
  }
  return index;
}

function buildIndex(root: IConstruct): AppIndex {
  const all = root.node.findAll();
  const vms = all.filter((c): c is ProtectedVm => c instanceof ProtectedVm);
  const groups = all.filter((c): c is ProtectionGroup => c instanceof ProtectionGroup);
  const groupOfVm = new Map<string, ProtectionGroup>();
  for (const group of groups) for (const vm of group.spec.vms) if (!groupOfVm.has(vm)) groupOfVm.set(vm, group);
  return {
    vmsByName: new Map(vms.map((vm) => [vm.vmName, vm])),
    sites: new Set(vms.map((vm) => vm.site)),
    groups,
    groupOfVm,
    records: all.filter((c): c is ActiveSiteRecord => c instanceof ActiveSiteRecord),
  };
}

/**
 * The attributes a resource synthesizes to, overrides included and tokens resolved to Terraform text:
 * rules judge what Terraform will see, so an `addOverride` cannot slip past them.
 */
export function synthesizedAttributes(resource: TerraformResource): Record<string, unknown> {
  const json = resolveHcl(resource, resource.toTerraform()) as { resource: Record<string, Record<string, Record<string, unknown>>> };
  const byName = json.resource[resource.terraformResourceType];
  return Object.values(byName)[0];
}

/** The stack's own variable with this id, if it declares one. */
export function stackVariable(node: IConstruct, id: string): IConstruct | undefined {
  return TerraformStack.of(node).node.tryFindChild(id);
}
