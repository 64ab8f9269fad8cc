import type { VpgSpec } from '../../topology/vpg-spec';
import type { HclValue } from './hcl-expression';

/** A VPG of the protection manifest (vpg-manifest.json) added, removed, or changed in members or settings. */
export interface VpgChange {
  readonly name: string;
  readonly action: 'create' | 'delete' | 'update';
  readonly vmsAdded: readonly string[];
  readonly vmsRemoved: readonly string[];
  /** Settings other than the members: `rpoTargetSeconds`, `recoverySite.datastore`... */
  readonly settings: readonly { readonly setting: string; readonly from?: HclValue; readonly to?: HclValue }[];
}

export function vpgChanges(before: readonly VpgSpec[], after: readonly VpgSpec[]): VpgChange[] {
  const old = new Map(before.map((v) => [v.name, v]));
  const now = new Map(after.map((v) => [v.name, v]));
  const changes: VpgChange[] = [];
  for (const name of [...new Set([...old.keys(), ...now.keys()])].sort()) {
    const [a, b] = [old.get(name), now.get(name)];
    const action = a === undefined ? 'create' : b === undefined ? 'delete' : 'update';
    const [vmsA, vmsB] = [new Set(a?.vms ?? []), new Set(b?.vms ?? [])];
    const vmsAdded = [...vmsB].filter((vm) => !vmsA.has(vm));
    const vmsRemoved = [...vmsA].filter((vm) => !vmsB.has(vm));
    const settings = settingChanges(a, b);
    if (action !== 'update' || vmsAdded.length || vmsRemoved.length || settings.length) changes.push({ name, action, vmsAdded, vmsRemoved, settings });
  }
  return changes;
}

function settingChanges(a: VpgSpec | undefined, b: VpgSpec | undefined): VpgChange['settings'] {
  const [flatA, flatB] = [settingsOf(a), settingsOf(b)];
  return [...new Set([...flatA.keys(), ...flatB.keys()])]
    .filter((setting) => flatA.get(setting) !== flatB.get(setting))
    .map((setting) => ({ setting, from: flatA.get(setting), to: flatB.get(setting) }));
}

function settingsOf(spec: VpgSpec | undefined): Map<string, HclValue> {
  const out = new Map<string, HclValue>();
  if (!spec) return out;
  for (const [key, value] of Object.entries(spec)) {
    if (key === 'name' || key === 'vms' || value === undefined) continue;
    if (value !== null && typeof value === 'object') {
      for (const [inner, v] of Object.entries(value)) if (v !== undefined) out.set(`${key}.${inner}`, v as HclValue);
    } else out.set(key, value as HclValue);
  }
  return out;
}
