import { NotFoundError, PermanentError } from '../common/errors';
import { HaproxyRuntimeApi, parseServersState } from './haproxy-runtime';
import type { LbServer, LbServerState, LbVerification, LoadBalancer } from './index';

export interface HaproxyLbConfig {
  /** The runtime API: a unix socket path or host:port (`stats socket ... level admin`). */
  readonly adminSocket: string;
  readonly backend: string;
  /** Site name -> server name in `backend`. */
  readonly servers: Readonly<Record<string, string>>;
}

// srv_admin_state flags (HAProxy src/server.h): forced/inherited/config/resolution/hostname maintenance,
// and forced/inherited drain.
const ADMIN_MAINT_FLAGS = 0x01 | 0x02 | 0x04 | 0x20 | 0x40;
const ADMIN_DRAIN_FLAGS = 0x08 | 0x10;
// srv_op_state: 0 stopped, 1 starting, 2 running, 3 stopping.
const OP_STATES = ['stopped', 'starting', 'running', 'stopping'];

interface ServerRow extends LbServer {
  readonly operational: string;
}

/** The load balancer as HAProxy's runtime API sees it: every change is read back from `show servers state`. */
export class HaproxyLoadBalancer implements LoadBalancer {
  constructor(
    private readonly config: HaproxyLbConfig,
    private readonly api: HaproxyRuntimeApi = new HaproxyRuntimeApi(config.adminSocket),
  ) {}

  async servers(): Promise<LbServer[]> {
    return (await this.rows()).map(({ site, server, state, weight }) => ({ site, server, state, weight }));
  }

  async setServer(site: string, state: LbServerState, weight?: number): Promise<void> {
    const target = `${this.config.backend}/${this.serverOf(site)}`;
    if (weight !== undefined) {
      if (!Number.isInteger(weight) || weight < 0 || weight > 256) throw new PermanentError(this.api.system, `weight ${weight} for ${target} is out of range; use an integer from 0 to 256`);
      await this.api.command(`set server ${target} weight ${weight}`);
    }
    await this.api.command(`set server ${target} state ${state}`);
  }

  /** The target goes ready first, then the others to maint: traffic is never left with no server. */
  async switchTo(site: string): Promise<void> {
    this.serverOf(site);
    await this.setServer(site, 'ready');
    for (const other of Object.keys(this.config.servers).filter((s) => s !== site)) await this.setServer(other, 'maint');
  }

  async verify(site: string): Promise<LbVerification> {
    this.serverOf(site);
    const rows = await this.rows();
    const ok = rows.every((row) =>
      row.site === site ? row.state === 'ready' && row.weight > 0 && row.operational !== 'stopped' : row.state !== 'ready',
    );
    return {
      ok,
      observed: rows.map((row) => `${row.site}: ${this.config.backend}/${row.server} ${row.state} weight ${row.weight} (${row.operational})`),
    };
  }

  private async rows(): Promise<ServerRow[]> {
    const command = `show servers state ${this.config.backend}`;
    const reply = await this.api.execute(command);
    if (!reply.startsWith('1')) throw this.api.refusal(command, reply);
    const byName = new Map(parseServersState(this.api.system, reply).map((row) => [row.srv_name, row]));
    return Object.entries(this.config.servers).map(([site, server]) => {
      const row = byName.get(server);
      if (!row) throw new NotFoundError(this.api.system, `server ${server} (site ${site}) is not in backend ${this.config.backend}; fix traffic.lb.servers`);
      const admin = Number(row.srv_admin_state);
      const state: LbServerState = admin & ADMIN_MAINT_FLAGS ? 'maint' : admin & ADMIN_DRAIN_FLAGS ? 'drain' : 'ready';
      return { site, server, state, weight: Number(row.srv_uweight), operational: OP_STATES[Number(row.srv_op_state)] ?? `op state ${row.srv_op_state}` };
    });
  }

  private serverOf(site: string): string {
    const server = this.config.servers[site];
    if (server === undefined) throw new PermanentError(this.api.system, `site ${site} has no server in traffic.lb.servers (known: ${Object.keys(this.config.servers).join(', ')})`);
    return server;
  }
}
