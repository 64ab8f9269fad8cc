import { PermanentError } from '../common/errors';
import { pollUntil, type Sleep } from '../common/retry';
import type { OvhClient } from '../ovh/client';
import type { LbServer, LbServerState, LbVerification, LoadBalancer } from './index';

/**
 * OVHcloud IP Load Balancing: one HTTP farm with one server per site. A server is `active` (ready) or
 * `inactive` (maint); edits stay pending until `POST /ipLoadbalancing/{svc}/refresh`, whose task is
 * waited for. IPLB has no drain state: asking for one is refused rather than silently mapped.
 */
interface FarmServer {
  readonly serverId: number;
  readonly status: 'active' | 'inactive';
  readonly weight: number | null;
  readonly backup: boolean;
}

interface IplbTask {
  readonly id: number;
  readonly status: string;
}

export interface OvhIplbConfig {
  readonly serviceName: string;
  readonly farmId: number;
  /** Site name -> farm server id. */
  readonly servers: Readonly<Record<string, number>>;
  /** Bound of one refresh task. @default 120000 */
  readonly taskTimeoutMs?: number;
  /** Between two reads of the task. @default 1000 */
  readonly taskPollMs?: number;
}

export class OvhIplb implements LoadBalancer {
  readonly system = 'lb ovh-iplb';

  constructor(
    private readonly config: OvhIplbConfig,
    private readonly deps: { readonly ovh: OvhClient; readonly sleep?: Sleep; readonly log?: (line: string) => void },
  ) {}

  async servers(): Promise<LbServer[]> {
    return Promise.all(
      Object.entries(this.config.servers).map(async ([site, id]) => {
        const s = await this.deps.ovh.call<FarmServer>('GET', this.serverPath(id));
        return { site, server: String(id), state: s.status === 'active' ? 'ready' : 'maint', weight: s.weight ?? 1 } satisfies LbServer;
      }),
    );
  }

  async setServer(site: string, state: LbServerState, weight?: number): Promise<void> {
    if (await this.edit(site, state, weight)) await this.refresh();
  }

  async switchTo(site: string): Promise<void> {
    this.serverId(site);
    let changed = await this.edit(site, 'ready');
    for (const other of Object.keys(this.config.servers).filter((s) => s !== site)) changed = (await this.edit(other, 'maint')) || changed;
    // Refresh even when nothing changed here: an earlier run may have edited and died before its refresh.
    if (changed || (await this.hasPendingChanges())) await this.refresh();
  }

  async verify(site: string): Promise<LbVerification> {
    const servers = await this.servers();
    const pending = await this.hasPendingChanges();
    const observed = servers.map((s) => `${s.site} server ${s.server}: ${s.state} weight ${s.weight}`);
    if (pending) observed.push('changes pending: not applied until the next refresh');
    const ok = !pending && servers.every((s) => (s.site === site ? s.state === 'ready' : s.state !== 'ready'));
    return { ok, observed };
  }

  private serverId(site: string): number {
    const id = this.config.servers[site];
    if (id === undefined) throw new PermanentError(this.system, `no farm server for site ${site}; known: ${Object.keys(this.config.servers).join(', ')}`);
    return id;
  }

  private serverPath(id: number): string {
    return `/ipLoadbalancing/${encodeURIComponent(this.config.serviceName)}/http/farm/${this.config.farmId}/server/${id}`;
  }

  /** Reads first, writes only what differs; true when something was written. */
  private async edit(site: string, state: LbServerState, weight?: number): Promise<boolean> {
    if (state === 'drain') throw new PermanentError(this.system, `IPLB has no drain state (site ${site}); use maint, or drain at the application`);
    const path = this.serverPath(this.serverId(site));
    const current = await this.deps.ovh.call<FarmServer>('GET', path);
    const status = state === 'ready' ? 'active' : 'inactive';
    if (current.status === status && (weight === undefined || current.weight === weight)) return false;
    await this.deps.ovh.call('PUT', path, weight === undefined ? { status } : { status, weight });
    this.deps.log?.(`${this.system}: ${this.config.serviceName} farm ${this.config.farmId}: ${site} -> ${status}`);
    return true;
  }

  private async hasPendingChanges(): Promise<boolean> {
    const pending = await this.deps.ovh.call<unknown[]>('GET', `/ipLoadbalancing/${encodeURIComponent(this.config.serviceName)}/pendingChanges`);
    return pending.length > 0;
  }

  private async refresh(): Promise<void> {
    const svc = encodeURIComponent(this.config.serviceName);
    const task = await this.deps.ovh.call<IplbTask>('POST', `/ipLoadbalancing/${svc}/refresh`, undefined, { idempotent: true });
    await pollUntil(
      async () => {
        const t = await this.deps.ovh.call<IplbTask>('GET', `/ipLoadbalancing/${svc}/task/${task.id}`);
        if (t.status === 'error' || t.status === 'cancelled') throw new PermanentError(this.system, `refresh task ${task.id} ended ${t.status}`);
        return t.status === 'done' ? t : undefined;
      },
      { timeoutMs: this.config.taskTimeoutMs ?? 120000, intervalMs: this.config.taskPollMs ?? 1000, system: this.system, what: `refresh task ${task.id} done`, sleep: this.deps.sleep },
    );
    this.deps.log?.(`${this.system}: ${this.config.serviceName}: refresh task ${task.id} done`);
  }
}
