import type { ZertoClient } from './client';
import { field, num, str } from './fields';

export type NameTable = ReadonlyMap<number, string>;

/**
 * Reads a lookup list in any shape a ZVM version answers: an array of names indexed by value, an array
 * of `{Key|Id|Value, Value|Name|Description}` objects, or an object mapping value to name.
 */
export function parseNameTable(raw: unknown): Map<number, string> {
  const table = new Map<number, string>();
  if (Array.isArray(raw)) {
    raw.forEach((entry, index) => {
      if (typeof entry === 'string') table.set(index, entry);
      else {
        const value = num(entry, 'Key') ?? num(entry, 'Id') ?? num(entry, 'Value');
        const name = ['Value', 'Name', 'Description'].map((k) => field(entry, k)).find((v): v is string => typeof v === 'string');
        if (value !== undefined && name !== undefined) table.set(value, name);
      }
    });
  } else if (raw !== null && typeof raw === 'object') {
    for (const [k, v] of Object.entries(raw)) if (/^\d+$/.test(k) && typeof v === 'string') table.set(Number(k), v);
  }
  return table;
}

/**
 * VPG status and substatus names, resolved at run time from `/v1/vpgs/statuses` and `/substatuses`
 * (the ints differ between sources and versions). When a ZVM lacks the lookups, `StatusDescription` names
 * the status and substatuses stay numeric.
 */
export class StatusNames {
  private tables?: Promise<{ statuses: NameTable; subStatuses: NameTable }>;

  constructor(private readonly client: ZertoClient) {}

  async status(vpg: unknown): Promise<string> {
    const value = num(vpg, 'Status');
    const known = value === undefined ? undefined : (await this.load()).statuses.get(value);
    return known ?? str(vpg, 'StatusDescription') ?? `Status${value ?? '?'}`;
  }

  async subStatus(vpg: unknown): Promise<string> {
    const value = num(vpg, 'SubStatus');
    return (value === undefined ? undefined : (await this.load()).subStatuses.get(value)) ?? `SubStatus${value ?? '?'}`;
  }

  private load(): Promise<{ statuses: NameTable; subStatuses: NameTable }> {
    this.tables ??= Promise.all([this.lookup('/v1/vpgs/statuses'), this.lookup('/v1/vpgs/substatuses')]).then(([statuses, subStatuses]) => ({ statuses, subStatuses }));
    return this.tables;
  }

  private async lookup(path: string): Promise<NameTable> {
    try {
      return parseNameTable(await this.client.get(path));
    } catch (e) {
      this.client.log(`${this.client.system}: ${path} unavailable (${(e as Error).message}); using StatusDescription`);
      return new Map();
    }
  }
}

