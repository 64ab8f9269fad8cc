import type { StackJson } from '../../stacks/app';
import { STATE_KEYS, type FailbackState } from '../../topology/state';
import type { VpgSpec } from '../../topology/vpg-spec';
import { evaluateTemplate, type HclValue, type Variables } from './hcl-expression';
import { userDataChanges, type UserDataChange } from './userdata-diff';
import { vpgChanges, type VpgChange } from './vpg-diff';

export interface AttributeChange {
  /** Terraform-style path: `extra_config["pra.failback.startup_mode"]`, `disk[0].size`. */
  readonly attribute: string;
  readonly from?: HclValue;
  readonly to?: HclValue;
}

export interface ResourceChange {
  readonly stack: string;
  /** `vsphere_virtual_machine.VM-DOCKER-APP-A-RBX`, `data.vsphere_network.network`. */
  readonly address: string;
  readonly action: 'create' | 'delete' | 'update';
  /** The changed attributes of an update (empty for create and delete). */
  readonly attributes: readonly AttributeChange[];
}

export interface VariableChange {
  readonly variable: string;
  readonly from: HclValue;
  readonly to: HclValue;
}

/** The git revision a `pra diff --base` compared with, and why its side is empty when it did not synthesize. */
export interface BaseRevision {
  readonly ref: string;
  readonly commit: string;
  /** Set when the base's topology or state did not load or synthesize: the head is then shown alone. */
  readonly unsynthesizable?: string;
}

/**
 * What a change does to the synthesized configuration, with expressions evaluated for each state: a state
 * change, or (with `base`) everything between a git revision and the working tree.
 */
export interface SemanticDiff {
  readonly base?: BaseRevision;
  readonly from: FailbackState;
  readonly to: FailbackState;
  readonly variables: readonly VariableChange[];
  readonly resources: readonly ResourceChange[];
  /** VPGs of the protection manifest: members and settings. */
  readonly vpgs: readonly VpgChange[];
  /** The decoded cloud-init user data (guard installer and guard.conf) per stack. */
  readonly userData: readonly UserDataChange[];
}

export interface SynthesizedSide {
  readonly state: FailbackState;
  readonly stacks: Readonly<Record<string, StackJson>>;
  /** The protection manifest's VPGs (vpg-manifest.json). */
  readonly vpgs: readonly VpgSpec[];
}

export function semanticDiff(before: SynthesizedSide, after: SynthesizedSide, base?: BaseRevision): SemanticDiff {
  const variables = STATE_KEYS.filter((key) => before.state[key] !== after.state[key]).map((key) => ({ variable: key, from: before.state[key], to: after.state[key] }));
  const resources: ResourceChange[] = [];
  const stacks = union(Object.keys(before.stacks), Object.keys(after.stacks));
  for (const stack of stacks) {
    const old = blocksOf(before.stacks[stack], before.state);
    const now = blocksOf(after.stacks[stack], after.state);
    for (const address of union([...old.keys()], [...now.keys()])) {
      const [a, b] = [old.get(address), now.get(address)];
      if (a === undefined) resources.push({ stack, address, action: 'create', attributes: [] });
      else if (b === undefined) resources.push({ stack, address, action: 'delete', attributes: [] });
      else {
        const attributes = diffLeaves(a, b);
        if (attributes.length) resources.push({ stack, address, action: 'update', attributes });
      }
    }
  }
  const userData = userDataChanges(before.stacks, after.stacks, stacks);
  return { ...(base && { base }), from: before.state, to: after.state, variables, resources, vpgs: vpgChanges(before.vpgs, after.vpgs), userData };
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}

/** Every resource and data source of a stack by address, as flat leaves with expressions evaluated for `state`. */
export function blocksOf(stack: StackJson | undefined, state: FailbackState): Map<string, Map<string, HclValue>> {
  const blocks = new Map<string, Map<string, HclValue>>();
  const vars: Variables = { ...state };
  // Every VM of a site carries the same expressions: each distinct text is evaluated once per stack.
  const evaluated = new Map<string, HclValue>();
  const evaluate = (text: string) => {
    if (!evaluated.has(text)) evaluated.set(text, evaluateTemplate(text, vars));
    return evaluated.get(text) as HclValue;
  };
  for (const [kind, prefix] of [['resource', ''], ['data', 'data.']] as const) {
    const byType = (stack?.[kind] ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
    for (const [type, byName] of Object.entries(byType)) {
      for (const [name, body] of Object.entries(byName)) {
        const leaves = new Map<string, HclValue>();
        flatten(body, '', evaluate, leaves);
        blocks.set(`${prefix}${type}.${name}`, leaves);
      }
    }
  }
  return blocks;
}

function flatten(value: unknown, path: string, evaluate: (text: string) => HclValue, out: Map<string, HclValue>): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => flatten(item, `${path}[${i}]`, evaluate, out));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === '//') continue; // cdktf metadata (construct path): not configuration
      const step = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`;
      flatten(child, step, evaluate, out);
    }
  } else {
    out.set(path, typeof value === 'string' ? evaluate(value) : (value as HclValue));
  }
}

function diffLeaves(a: Map<string, HclValue>, b: Map<string, HclValue>): AttributeChange[] {
  const changes: AttributeChange[] = [];
  for (const attribute of union([...a.keys()], [...b.keys()])) {
    const [from, to] = [a.get(attribute), b.get(attribute)];
    if (JSON.stringify(from) !== JSON.stringify(to)) changes.push({ attribute, from, to });
  }
  return changes;
}
