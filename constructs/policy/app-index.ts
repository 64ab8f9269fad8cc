import { TerraformResource, TerraformStack, Tokenization } from 'cdktf';
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
  /** `synthesizedAttributes`, computed once per resource (three VM rules read them). */
  attributesOf(resource: TerraformResource): Record<string, unknown>;
}

/** Built at the first policy visit of an app's synthesis: a tree changed after synthesizing is not re-indexed. */
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
  const attributes = new WeakMap<TerraformResource, Record<string, unknown>>();
  return {
    vmsByName: new Map(vms.map((vm) => [vm.vmName, vm])),
    sites: new Set(vms.map((vm) => vm.site)),
    groups,
    groupOfVm,
    records: all.filter((c): c is ActiveSiteRecord => c instanceof ActiveSiteRecord),
    attributesOf(resource) {
      let found = attributes.get(resource);
      if (!found) attributes.set(resource, (found = synthesizedAttributes(resource)));
      return found;
    },
  };
}

/**
 * The top-level attributes a resource synthesizes to, overrides included: rules judge what Terraform will see,
 * so an `addOverride` cannot slip past them. Tokens are resolved to Terraform text on first read only, down
 * to each entry of a map attribute (extra_config): resolving a whole VM costs more than all VM rules need.
 */
export function synthesizedAttributes(resource: TerraformResource): Record<string, unknown> {
  const json = resource.toTerraform() as { resource: Record<string, Record<string, Record<string, unknown>>> };
  return lazilyResolved(resource, Object.values(json.resource[resource.terraformResourceType])[0], 2);
}

function lazilyResolved(resource: TerraformResource, raw: Record<string, unknown>, depth: number): Record<string, unknown> {
  const resolved = new Map<string, unknown>();
  return new Proxy(raw, {
    get(target, key) {
      if (typeof key !== 'string' || !(key in target)) return undefined;
      if (!resolved.has(key)) {
        const value = target[key];
        const plainMap = depth > 1 && value !== null && typeof value === 'object' && !Array.isArray(value) && !Tokenization.isResolvable(value);
        resolved.set(key, plainMap ? lazilyResolved(resource, value as Record<string, unknown>, depth - 1) : resolveHcl(resource, value));
      }
      return resolved.get(key);
    },
  });
}

/** The stack's own variable with this id, if it declares one. */
export function stackVariable(node: IConstruct, id: string): IConstruct | undefined {
  return TerraformStack.of(node).node.tryFindChild(id);
}
