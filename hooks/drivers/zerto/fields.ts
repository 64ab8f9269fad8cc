import type { ProtectedVm } from './model';

/**
 * Case-insensitive access to Zerto JSON: the live API answers in PascalCase (`VpgName`), the 10.x Swagger
 * documents camelCase (`vpgName`), link objects use lowercase (`identifier`). Read every field through these.
 */
export function field(obj: unknown, name: string): unknown {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  const record = obj as Record<string, unknown>;
  if (name in record) return record[name];
  const lower = name.toLowerCase();
  const key = Object.keys(record).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : record[key];
}

export function str(obj: unknown, name: string): string | undefined {
  const v = field(obj, name);
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

export function num(obj: unknown, name: string): number | undefined {
  const v = field(obj, name);
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  return typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : undefined;
}

export function bool(obj: unknown, name: string): boolean | undefined {
  const v = field(obj, name);
  return typeof v === 'boolean' ? v : undefined;
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Sets `name` on `obj`, reusing the key's existing spelling (so a PUT keeps the ZVM's own casing). */
export function setField(obj: Record<string, unknown>, name: string, value: unknown): void {
  const lower = name.toLowerCase();
  obj[Object.keys(obj).find((k) => k.toLowerCase() === lower) ?? name] = value;
}

/** The object at `path` (e.g. `Networks.Failover.Hypervisor`), created with these names where missing. */
export function objectAt(obj: Record<string, unknown>, path: readonly string[]): Record<string, unknown> {
  let current = obj;
  for (const name of path) {
    let next = field(current, name);
    if (next === null || typeof next !== 'object' || Array.isArray(next)) {
      next = {};
      setField(current, name, next);
    }
    current = next as Record<string, unknown>;
  }
  return current;
}

/**
 * An object's identifier: the older field (`VpgIdentifier`, `TaskIdentifier`...) or, in the 10.x document, its
 * `Link.identifier` (a VM's link may carry `?VpgIdentifier=...`, which is not part of the id).
 */
export function idOf(obj: unknown, legacyField: string): string {
  return str(obj, legacyField) ?? (str(field(obj, 'Link'), 'identifier') ?? '').split('?')[0];
}

export const toProtectedVm = (v: unknown): ProtectedVm => ({ id: idOf(v, 'VmIdentifier'), name: str(v, 'VmName') ?? '' });
