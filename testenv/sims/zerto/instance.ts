import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { realSleep } from '../../../hooks/drivers/common/retry';
import { LOGOUT_PATH, TOKEN_PATH } from '../../../hooks/drivers/zerto/auth';
import { readBody } from '../common';
import { routes } from './api';
import { requestProblems } from './contract';
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

/** API calls have their bodies logged; logins never (forms carry credentials, answers tokens). */
const isApiCall = (path: string): boolean => path.startsWith('/v1/') && !/^\/v1\/session/i.test(path);

/** The JSON body of an API call, for the request log. */
function recordedBody(path: string, raw: string): unknown {
  if (!raw || !isApiCall(path)) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

/** What one request got: the HTTP status (0: connection dropped) and the JSON answer. */
interface Outcome {
  readonly status: number;
  readonly answer?: unknown;
}

/** Answers one request on `site`'s API port: faults first, then login routes, then the authorized API. */
async function answer(world: World, site: SimSite, req: IncomingMessage, res: ServerResponse, raw: string): Promise<Outcome> {
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', 'https://zvm');
  let loseAnswer = false;
  for (const fault of world.faults.take(method, url.pathname + url.search)) {
    if (fault.kind === 'latency') await realSleep(fault.latencyMs ?? 0);
    if (fault.kind === 'drop') {
      req.socket.destroy();
      return { status: 0 };
    }
    if (fault.kind === 'status') {
      reply(res, fault.status ?? 500, { Message: 'Injected fault' });
      return { status: fault.status ?? 500 };
    }
    loseAnswer ||= fault.kind === 'lose';
  }
  const outcome = await authorizedAnswer(world, site, req, raw, url);
  if (loseAnswer) req.socket.destroy();
  else reply(res, outcome.status, outcome.answer, outcome.headers);
  return outcome;
}

/** The login routes, then the authorized API (its request bodies checked against the published contract). */
async function authorizedAnswer(world: World, site: SimSite, req: IncomingMessage, raw: string, url: URL): Promise<Outcome & { headers?: Record<string, string> }> {
  const method = req.method ?? 'GET';
  if (method === 'POST' && url.pathname === LOGOUT_PATH) {
    const r = world.auth.logout(new URLSearchParams(raw));
    return { status: r.status, answer: r.body };
  }
  if (method === 'POST' && url.pathname === TOKEN_PATH) {
    const r = world.auth.token(new URLSearchParams(raw));
    return { status: r.status, answer: r.body, headers: r.headers };
  }
  if (method === 'POST' && /^\/v1\/session\/add$/i.test(url.pathname)) {
    const r = world.auth.addSession(req.headers);
    return { status: r.status, answer: r.body, headers: r.headers };
  }
  if (!world.auth.authorized(req.headers)) return { status: 401, answer: { Message: 'Authorization has been denied for this request.' } };
  if (method === 'DELETE' && /^\/v1\/session$/i.test(url.pathname)) {
    const r = world.auth.deleteSession(req.headers);
    return { status: r.status, answer: r.body };
  }
  let body: unknown = null;
  try {
    body = raw ? JSON.parse(raw) : null;
  } catch {
    return { status: 400, answer: { Message: 'The request body is not valid JSON' } };
  }
  const problems = requestProblems(method, url.pathname, body);
  if (problems) return { status: 400, answer: { Message: `The request is invalid: ${problems}` } };
  for (const [routeMethod, path, handler] of routes) {
    const match = routeMethod === method ? path.exec(url.pathname) : null;
    if (!match) continue;
    try {
      return { status: 200, answer: handler(world, { site, match, query: url.searchParams, body }) };
    } catch (e) {
      return { status: e instanceof ApiError ? e.status : 500, answer: { Message: (e as Error).message } };
    }
  }
  return { status: 404, answer: { Message: `No HTTP resource was found that matches the request URI ${url.pathname}` } };
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
        const text = readBody(req).then((b) => b.toString('utf8'));
        text.then((raw) => answer(world, site, req, res, raw).then((outcome) => ({ raw, outcome }))).then(
          ({ raw, outcome }) => world.record({ site: site.name, method: req.method ?? '', path: req.url ?? '', status: outcome.status, body: recordedBody(req.url ?? '', raw), answer: isApiCall(req.url ?? '') ? outcome.answer : undefined }),
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
