import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { ovhSignature } from '../../../hooks/drivers/ovh/client';
import { BindPublisher, Faults, required, sendJson, serve, type FaultSpec } from '../common';
import { OvhIplb } from './iplb';
import { ApiError, OvhZones } from './zones';

/**
 * OVHcloud API simulator: `$1$` signatures and clock skew checked like the real API, DNS zone records
 * (published into BIND on refresh only) and one IPLB service. Control (unsigned) under `/__control/`:
 * `reset {scope?: dns|iplb, zones?: [name]}` (zones: @default every zone), `faults` (FaultSpec + clockSkewSeconds, refreshMs, taskMs), `renumber {zone}`, `stats`.
 * Configuration comes from the environment (secrets never on a command line).
 */
const API = '/1.0';
/** Seconds a request's timestamp may differ from the server clock. */
const MAX_SKEW_SECONDS = 60;

const credentials = {
  applicationKey: required('PRA_SIM_OVH_APP_KEY'),
  applicationSecret: required('PRA_SIM_OVH_APP_SECRET'),
  consumerKey: required('PRA_SIM_OVH_CONSUMER_KEY'),
};
const zones = new OvhZones(required('PRA_SIM_OVH_ZONES').split(','), required('PRA_SIM_OVH_INITIAL_TARGET'), new BindPublisher());
const iplb = new OvhIplb(JSON.parse(required('PRA_SIM_OVH_IPLB')));
const faults = new Faults();
const stats = { refreshConflicts: 0, refused: 0 };
let clockSkewSeconds = 0;

const serverTime = () => Math.floor(Date.now() / 1000) + clockSkewSeconds;

function refuse(status: number, errorCode: string, message: string): never {
  stats.refused++;
  throw new ApiError(status, { errorCode, httpCode: status === 400 ? '400 Bad Request' : '403 Forbidden', message });
}

function same(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

function authenticate(req: IncomingMessage, body: string): void {
  const h = (name: string) => String(req.headers[name] ?? '');
  if (!same(h('x-ovh-application'), credentials.applicationKey)) refuse(403, 'INVALID_KEY', 'Invalid application key');
  if (!same(h('x-ovh-consumer'), credentials.consumerKey)) refuse(403, 'INVALID_CREDENTIAL', 'This credential does not exist');
  const timestamp = Number(h('x-ovh-timestamp'));
  if (!Number.isInteger(timestamp) || Math.abs(timestamp - serverTime()) > MAX_SKEW_SECONDS) refuse(400, 'QUERY_TIME_OUT', 'Query out of time');
  const fullUrl = `https://${req.headers.host}${req.url}`;
  const expected = ovhSignature(credentials.applicationSecret, credentials.consumerKey, req.method ?? '', fullUrl, body, timestamp);
  if (!same(h('x-ovh-signature'), expected)) refuse(400, 'INVALID_SIGNATURE', 'Invalid signature');
}

async function control(path: string, body: Record<string, unknown>): Promise<unknown> {
  switch (path) {
    case '/__control/reset':
      // Scoped, so the DNS and IPLB test files (which may run in parallel) never reset each other.
      if (body.scope !== 'iplb') {
        faults.reset();
        clockSkewSeconds = 0;
        zones.refreshMs = 200;
        const only = Array.isArray(body.zones) ? (body.zones as string[]) : undefined;
        zones.reset(only);
        await zones.refreshAll(only);
        stats.refreshConflicts = stats.refused = 0;
      }
      if (body.scope !== 'dns') {
        iplb.taskMs = 300;
        iplb.reset();
      }
      return null;
    case '/__control/faults':
      faults.set(body as FaultSpec);
      if (typeof body.clockSkewSeconds === 'number') clockSkewSeconds = body.clockSkewSeconds;
      if (typeof body.refreshMs === 'number') zones.refreshMs = body.refreshMs;
      if (typeof body.taskMs === 'number') iplb.taskMs = body.taskMs;
      return null;
    case '/__control/renumber':
      zones.renumber(String(body.zone));
      return null;
    case '/__control/stats':
      return stats;
    default:
      throw new ApiError(404, { message: `unknown control ${path}` });
  }
}

async function api(method: string, path: string, query: URLSearchParams, input: Record<string, unknown>): Promise<unknown> {
  let m: RegExpMatchArray | null;
  if ((m = path.match(/^\/domain\/zone\/([^/]+)\/record$/))) {
    const zone = decodeURIComponent(m[1]);
    if (method === 'GET') return zones.list(zone, query.get('fieldType') ?? undefined, query.has('subDomain') ? query.get('subDomain') ?? '' : undefined);
    if (method === 'POST') return zones.create(zone, input);
  } else if ((m = path.match(/^\/domain\/zone\/([^/]+)\/record\/(\d+)$/))) {
    const [zone, id] = [decodeURIComponent(m[1]), Number(m[2])];
    if (method === 'GET') return zones.get(zone, id);
    if (method === 'PUT') {
      zones.update(zone, id, input);
      return null;
    }
    if (method === 'DELETE') {
      zones.remove(zone, id);
      return null;
    }
  } else if ((m = path.match(/^\/domain\/zone\/([^/]+)\/refresh$/)) && method === 'POST') {
    await zones.refresh(decodeURIComponent(m[1])).catch((e: ApiError) => {
      if (e.status === 409) stats.refreshConflicts++;
      throw e;
    });
    return null;
  } else if ((m = path.match(/^\/ipLoadbalancing\/([^/]+)\/http\/farm\/(\d+)\/server\/(\d+)$/))) {
    const [svc, farm, id] = [decodeURIComponent(m[1]), Number(m[2]), Number(m[3])];
    if (method === 'GET') return iplb.server(svc, farm, id);
    if (method === 'PUT') {
      iplb.update(svc, farm, id, input);
      return null;
    }
  } else if ((m = path.match(/^\/ipLoadbalancing\/([^/]+)\/refresh$/)) && method === 'POST') {
    return iplb.refresh(decodeURIComponent(m[1]));
  } else if ((m = path.match(/^\/ipLoadbalancing\/([^/]+)\/task\/(\d+)$/)) && method === 'GET') {
    return iplb.task(decodeURIComponent(m[1]), Number(m[2]));
  } else if ((m = path.match(/^\/ipLoadbalancing\/([^/]+)\/pendingChanges$/)) && method === 'GET') {
    return iplb.pendingChanges(decodeURIComponent(m[1]));
  }
  throw new ApiError(404, { class: 'Client::NotFound', message: `Got an invalid (or empty) URL: ${method} ${path}` });
}

async function handle(req: IncomingMessage, body: string, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://sim');
  const input = body ? (JSON.parse(body) as Record<string, unknown>) : {};
  try {
    if (url.pathname.startsWith('/__control/')) return sendJson(res, 200, await control(url.pathname, input));
    if (!url.pathname.startsWith(API)) throw new ApiError(404, { message: 'only /1.0 is simulated' });
    const path = url.pathname.slice(API.length);
    const failWith = await faults.apply(path);
    if (failWith) throw new ApiError(failWith, { class: 'Server::InternalServerError', message: 'Injected fault' });
    if (path === '/auth/time' && req.method === 'GET') return sendJson(res, 200, serverTime());
    authenticate(req, body);
    sendJson(res, 200, (await api(req.method ?? 'GET', path, url.searchParams, input)) ?? null);
  } catch (e) {
    if (e instanceof ApiError) return sendJson(res, e.status, e.body);
    throw e;
  }
}

serve(Number(required('PRA_SIM_PORT')), handle);
