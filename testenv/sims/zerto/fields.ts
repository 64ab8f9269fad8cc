/** Reads request bodies the way a ZVM does: field names are matched case-insensitively. */
export function field(obj: unknown, name: string): unknown {
  if (obj === null || typeof obj !== 'object') return undefined;
  const lower = name.toLowerCase();
  const key = Object.keys(obj).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : (obj as Record<string, unknown>)[key];
}

export const text = (obj: unknown, name: string): string | undefined => {
  const v = field(obj, name);
  return typeof v === 'string' ? v : undefined;
};

export const int = (obj: unknown, name: string): number | undefined => {
  const v = field(obj, name);
  return typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined;
};

export const bool = (obj: unknown, name: string): boolean | undefined => {
  const v = field(obj, name);
  return typeof v === 'boolean' ? v : undefined;
};
