import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { realSleep } from '../../../hooks/drivers/common/retry';
import { TOKEN_PATH } from '../../../hooks/drivers/zerto/auth';
import { readBody } from '../common';
import { routes } from './api';
import type { SimSite } from './inventory';
import { ApiError } from './operations';
import { World, type WorldOptions } from './world';

export interface TlsFiles {
  readonly cert: Buffer;
  readonly key: Buffer;
}

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === null || body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Answers one request on `site`'s API port: faults first, then login routes, then the authorized API. */
async function answer(world: World, site: SimSite, req: IncomingMessage, res: ServerResponse): Promise<number> {
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', 'https://zvm');
  const raw = (await readBody(req)).toString('utf8');
  for (const fault of world.faults.take(method, url.pathname + url.search)) {
    if (fault.kind === 'latency') await realSleep(fault.latencyMs ?? 0);
    if (fault.kind === 'drop') {
      req.socket.destroy();
      return 0;
    }
    if (fault.kind === 'status') {
      reply(res, fault.status ?? 500, { Message: 'Injected fault' });
      return fault.status ?? 500;
    }
  }
  if (method === 'POST' && url.pathname === TOKEN_PATH) {
    const r = world.auth.token(new URLSearchParams(raw));
    reply(res, r.status, r.body, r.headers);
    return r.status;
  }
  if (method === 'POST' && /^\/v1\/session\/add$/i.test(url.pathname)) {
    const r = world.auth.addSession(req.headers);
    reply(res, r.status, r.body, r.headers);
    return r.status;
  }
  if (!world.auth.authorized(req.headers)) {
    reply(res, 401, { Message: 'Authorization has been denied for this request.' });
    return 401;
  }
  if (method === 'DELETE' && /^\/v1\/session$/i.test(url.pathname)) {
    const r = world.auth.deleteSession(req.headers);
    reply(res, r.status, r.body);
    return r.status;
  }
  let body: unknown = null;
  try {
    body = raw ? JSON.parse(raw) : null;
  } catch {
    reply(res, 400, { Message: 'The request body is not valid JSON' });
    return 400;
  }
  for (const [routeMethod, path, handler] of routes) {
    const match = routeMethod === method ? path.exec(url.pathname) : null;
    if (!match) continue;
    try {
      reply(res, 200, handler(world, { site, match, query: url.searchParams, body }));
      return 200;
    } catch (e) {
      const status = e instanceof ApiError ? e.status : 500;
      reply(res, status, { Message: (e as Error).message });
      return status;
    }
  }
  reply(res, 404, { Message: `No HTTP resource was found that matches the request URI ${url.pathname}` });
  return 404;
}

/** One simulated ZVM pair: a World and one HTTPS API port per site. */
export class SimInstance {
  private constructor(
    readonly id: string,
    readonly world: World,
    private readonly servers: readonly Server[],
    /** Site name -> base URL of that site's ZVM API. */
    readonly urls: Readonly<Record<string, string>>,
  ) {}

  /** Starts the instance's API ports (`ports[site]`, or any free port). */
  static async start(id: string, options: WorldOptions, tls: TlsFiles, ports: Readonly<Record<string, number>> = {}): Promise<SimInstance> {
    const world = new World(options);
    const servers: Server[] = [];
    const urls: Record<string, string> = {};
    for (const site of world.inventory.sites) {
      const server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
        answer(world, site, req, res).then(
          (status) => world.record({ site: site.name, method: req.method ?? '', path: req.url ?? '', status }),
          (e: Error) => {
            process.stderr.write(`zerto-sim ${id}: ${e.message}\n`);
            if (!res.headersSent) reply(res, 500, { Message: 'Internal simulator error' });
          },
        );
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(ports[site.name] ?? 0, '127.0.0.1', resolve);
      });
      servers.push(server);
      urls[site.name] = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    }
    return new SimInstance(id, world, servers, urls);
  }

  async close(): Promise<void> {
    this.world.recoveries.cancelAll();
    await Promise.all(this.servers.map((s) => new Promise((r) => { s.closeAllConnections(); s.close(r); })));
  }
}
