import { createServer, connect, type Server, type Socket } from 'node:net';
import type { TopologyInput } from '../../topology';
import { freePort } from '../core';

/**
 * The network between the operator and one site, for the drill of the disaster direction: each endpoint of the
 * site (its vCenter, its ZVM, its guests' SSH) is reached through a TCP relay on loopback, and `cut()` closes
 * them all: connections in flight are reset and new ones refused, as when the site is lost. `restore()` opens
 * them again on the same ports (the drill puts the world back in order afterwards).
 */
export class SiteLinks {
  private readonly relays: Relay[] = [];

  private constructor() {}

  /**
   * Routes `site`'s vCenter, ZVM and guests in `topology` through relays; returns the rewritten topology and the
   * links that can cut them.
   */
  static async route(topology: TopologyInput, site: string): Promise<{ topology: TopologyInput; links: SiteLinks }> {
    const links = new SiteLinks();
    const sshPort = topology.guard?.ssh?.port ?? 22;
    const through = async (url: string) => {
      const target = new URL(url);
      const relay = await links.open(Number(target.port));
      return url.replace(`:${target.port}`, `:${relay.port}`);
    };
    const sites = await Promise.all(
      topology.sites.map(async (s) => (s.name !== site ? s : { ...s, vcenter: { ...s.vcenter, url: await through(s.vcenter.url) }, zerto: s.zerto && { ...s.zerto, url: await through(s.zerto.url) } })),
    );
    const guests = new Map<number, number>(); // one relay per SSH port the site's guests use
    for (const vm of topology.vms.filter((v) => v.site === site)) {
      const port = vm.guest?.sshPort ?? sshPort;
      if (!guests.has(port)) guests.set(port, (await links.open(port)).port);
    }
    const vms = topology.vms.map((vm) => (vm.site !== site ? vm : { ...vm, guest: { ...vm.guest, sshPort: guests.get(vm.guest?.sshPort ?? sshPort)! } }));
    return { topology: { ...topology, sites, vms }, links };
  }

  /** The site is lost: every relay refuses new connections and drops the open ones. */
  async cut(): Promise<void> {
    await Promise.all(this.relays.map((r) => r.close()));
  }

  /** The site answers again, on the same ports. */
  async restore(): Promise<void> {
    await Promise.all(this.relays.map((r) => r.listen()));
  }

  private async open(targetPort: number): Promise<Relay> {
    const relay = new Relay(await freePort(), targetPort);
    await relay.listen();
    this.relays.push(relay);
    return relay;
  }
}

/** 127.0.0.1:port -> 127.0.0.1:target, byte for byte (TLS and SSH pass through untouched). */
class Relay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly port: number,
    private readonly target: number,
  ) {}

  listen(): Promise<void> {
    if (this.server) return Promise.resolve();
    const server = createServer((inbound) => {
      const outbound = connect(this.target, '127.0.0.1');
      for (const [a, b] of [[inbound, outbound], [outbound, inbound]] as const) {
        this.sockets.add(a);
        a.pipe(b);
        a.on('error', () => b.destroy());
        a.on('close', () => (this.sockets.delete(a), b.destroy()));
      }
    });
    this.server = server;
    return new Promise((resolve, reject) => server.once('error', reject).listen(this.port, '127.0.0.1', () => resolve()));
  }

  close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}
