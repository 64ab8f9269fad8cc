import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DnsRecord } from '../../../hooks/drivers/dns/index';
import { BindPublisher, Faults, required, sendJson, serve, type FaultSpec } from '../common';
import { verifySigV4 } from './sigv4';

/**
 * Route 53 REST-XML fake for the real `@aws-sdk/client-route-53` (through its `endpoint` option):
 * ChangeResourceRecordSets (CREATE/UPSERT/DELETE), ListResourceRecordSets, GetChange. A change is PENDING
 * until `insyncAfterMs` has passed and it is published into BIND by RFC 2136; then INSYNC. Requests need a
 * valid SigV4 signature (verified in full). Control (unsigned, JSON) under `/__control/`: `reset`,
 * `faults` (FaultSpec + insyncAfterMs), `changes` (the statuses GetChange served, per change).
 */
const XMLNS = 'https://route53.amazonaws.com/doc/2013-04-01/';
const accessKeyId = required('PRA_SIM_R53_ACCESS_KEY_ID');
const secretAccessKey = required('PRA_SIM_R53_SECRET_ACCESS_KEY');
/** Hosted zone id -> zone name. */
const hostedZones: Record<string, string> = JSON.parse(required('PRA_SIM_R53_ZONES'));
const initialTarget = required('PRA_SIM_R53_INITIAL_TARGET');
const publisher = new BindPublisher();
const faults = new Faults();

interface RecordSet {
  name: string;
  type: string;
  ttl: number;
  values: string[];
}
interface Change {
  id: string;
  status: 'PENDING' | 'INSYNC';
  submittedAt: string;
  served: string[];
}
const DEFAULT_INSYNC_MS = 1500;
let insyncAfterMs = DEFAULT_INSYNC_MS;
let recordSets = new Map<string, Map<string, RecordSet>>();
const changes = new Map<string, Change>();

class R53Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const tag = (xml: string, name: string) => xml.match(new RegExp(`<${name}>([^<]*)</${name}>`))?.[1];
const tags = (xml: string, name: string) => [...xml.matchAll(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`, 'g'))].map((m) => m[1]);
const absolute = (name: string) => (name.endsWith('.') ? name : `${name}.`).toLowerCase();
const recordKey = (name: string, type: string) => `${absolute(name)}/${type}`;

function initialSets(): Map<string, Map<string, RecordSet>> {
  return new Map(
    Object.values(hostedZones).map((zone) => {
      const app: RecordSet = { name: `app.${zone}.`, type: 'A', ttl: 60, values: [initialTarget] };
      return [zone, new Map([[recordKey(app.name, 'A'), app]])];
    }),
  );
}

function zoneOf(id: string): string {
  const zone = hostedZones[id.replace(/^\/?hostedzone\//, '')];
  if (!zone) throw new R53Error(404, 'NoSuchHostedZone', `No hosted zone found with ID: ${id}`);
  return zone;
}

function relative(name: string, zone: string): string {
  const n = absolute(name).slice(0, -1);
  return n === zone ? '@' : n.slice(0, -(zone.length + 1));
}

function toPublish(zone: string, sets: Iterable<RecordSet>, deleted: Iterable<RecordSet>): { upsert: DnsRecord[]; delete: DnsRecord[] } {
  const a = (s: RecordSet): DnsRecord => ({ name: relative(s.name, zone), type: 'A', ttlSeconds: s.ttl, targets: s.values });
  return { upsert: [...sets].filter((s) => s.type === 'A').map(a), delete: [...deleted].filter((s) => s.type === 'A').map(a) };
}

function changeBatch(zone: string, body: string): Change {
  const sets = recordSets.get(zone) as Map<string, RecordSet>;
  const next = new Map(sets);
  for (const change of tags(body, 'Change')) {
    const action = tag(change, 'Action');
    const set: RecordSet = { name: absolute(tag(change, 'Name') ?? ''), type: tag(change, 'Type') ?? '', ttl: Number(tag(change, 'TTL') ?? 300), values: tags(change, 'Value') };
    const key = recordKey(set.name, set.type);
    if (!set.name.endsWith(`${zone}.`)) throw new R53Error(400, 'InvalidChangeBatch', `RRSet with DNS name ${set.name} is not permitted in zone ${zone}.`);
    if (action === 'CREATE' && next.has(key)) throw new R53Error(400, 'InvalidChangeBatch', `Tried to create resource record set [name='${set.name}', type='${set.type}'] but it already exists`);
    if (action === 'DELETE') {
      const old = next.get(key);
      if (!old || old.ttl !== set.ttl || [...old.values].sort().join() !== [...set.values].sort().join()) {
        throw new R53Error(400, 'InvalidChangeBatch', `Tried to delete resource record set [name='${set.name}', type='${set.type}'] but the values provided do not match the current values`);
      }
      next.delete(key);
    } else if (action === 'CREATE' || action === 'UPSERT') next.set(key, set);
    else throw new R53Error(400, 'InvalidInput', `Invalid action ${action}`);
  }
  // The API shows the new records at once; DNS serves them only once the change is INSYNC.
  recordSets.set(zone, next);
  const touched = [...next.values()].filter((s) => sets.get(recordKey(s.name, s.type)) !== s);
  const deleted = [...sets.values()].filter((s) => !next.has(recordKey(s.name, s.type)));
  const change: Change = { id: `C${randomUUID().replace(/-/g, '').slice(0, 20).toUpperCase()}`, status: 'PENDING', submittedAt: new Date().toISOString(), served: [] };
  changes.set(change.id, change);
  setTimeout(() => {
    publisher.publish(zone, toPublish(zone, touched, deleted)).then(
      () => (change.status = 'INSYNC'),
      (e: Error) => process.stderr.write(`route53 sim: publishing ${change.id} into BIND failed: ${e.message}\n`),
    );
  }, insyncAfterMs);
  return change;
}

const changeInfo = (c: Change) => `<ChangeInfo><Id>/change/${c.id}</Id><Status>${c.status}</Status><SubmittedAt>${c.submittedAt}</SubmittedAt></ChangeInfo>`;

function listSets(zone: string, query: URLSearchParams): string {
  const start = query.get('name') ? absolute(query.get('name') as string) : undefined;
  const type = query.get('type') ?? undefined;
  const max = Number(query.get('maxitems') ?? 300);
  const all = [...(recordSets.get(zone) as Map<string, RecordSet>).values()].sort((a, b) => (a.name === b.name ? a.type.localeCompare(b.type) : a.name.localeCompare(b.name)));
  const from = start === undefined ? 0 : Math.max(0, all.findIndex((s) => s.name > start || (s.name === start && (type === undefined || s.type >= type))));
  const page = all.slice(from, from + max);
  const sets = page
    .map((s) => `<ResourceRecordSet><Name>${esc(s.name)}</Name><Type>${s.type}</Type><TTL>${s.ttl}</TTL><ResourceRecords>${s.values.map((v) => `<ResourceRecord><Value>${esc(v)}</Value></ResourceRecord>`).join('')}</ResourceRecords></ResourceRecordSet>`)
    .join('');
  return `<ListResourceRecordSetsResponse xmlns="${XMLNS}"><ResourceRecordSets>${sets}</ResourceRecordSets><IsTruncated>${from + max < all.length}</IsTruncated><MaxItems>${max}</MaxItems></ListResourceRecordSetsResponse>`;
}

async function control(path: string, body: Record<string, unknown>): Promise<unknown> {
  if (path === '/__control/reset') {
    faults.reset();
    insyncAfterMs = DEFAULT_INSYNC_MS;
    // `zones` (@default every zone): a test resets its own zones only, the drill zone is the running drill's.
    const only = Array.isArray(body.zones) ? (body.zones as string[]) : undefined;
    for (const [zone, sets] of initialSets()) {
      if (only && !only.includes(zone)) continue;
      const gone = [...(recordSets.get(zone)?.values() ?? [])].filter((s) => !sets.has(recordKey(s.name, s.type)));
      recordSets.set(zone, sets);
      await publisher.publish(zone, toPublish(zone, sets.values(), gone));
    }
    changes.clear();
    return null;
  }
  if (path === '/__control/faults') {
    faults.set(body as FaultSpec);
    if (typeof body.insyncAfterMs === 'number') insyncAfterMs = body.insyncAfterMs;
    return null;
  }
  if (path === '/__control/changes') return Object.fromEntries([...changes.values()].map((c) => [c.id, c.served]));
  throw new R53Error(404, 'NotFound', `unknown control ${path}`);
}

function sendXml(res: ServerResponse, status: number, xml: string): void {
  res.writeHead(status, { 'Content-Type': 'text/xml', 'x-amzn-RequestId': randomUUID() });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
}

async function handle(req: IncomingMessage, body: string, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://sim');
  try {
    if (url.pathname.startsWith('/__control/')) return sendJson(res, 200, await control(url.pathname, body ? JSON.parse(body) : {}));
    const failWith = await faults.apply(url.pathname);
    if (failWith) throw new R53Error(failWith, failWith === 400 ? 'Throttling' : 'ServiceUnavailable', 'Injected fault');
    const refused = verifySigV4(req, body, accessKeyId, secretAccessKey);
    if (refused) throw new R53Error(403, refused === 'unknown access key id' ? 'InvalidClientTokenId' : 'SignatureDoesNotMatch', refused);
    let m: RegExpMatchArray | null;
    if ((m = url.pathname.match(/^\/2013-04-01\/hostedzone\/([^/]+)\/rrset\/?$/))) {
      const zone = zoneOf(decodeURIComponent(m[1]));
      if (req.method === 'POST') return sendXml(res, 200, `<ChangeResourceRecordSetsResponse xmlns="${XMLNS}">${changeInfo(changeBatch(zone, body))}</ChangeResourceRecordSetsResponse>`);
      if (req.method === 'GET') return sendXml(res, 200, listSets(zone, url.searchParams));
    } else if ((m = url.pathname.match(/^\/2013-04-01\/change\/([^/]+)$/)) && req.method === 'GET') {
      const change = changes.get(decodeURIComponent(m[1]).replace(/^\/?change\//, ''));
      if (!change) throw new R53Error(404, 'NoSuchChange', `A change with the specified change ID does not exist.`);
      change.served.push(change.status);
      return sendXml(res, 200, `<GetChangeResponse xmlns="${XMLNS}">${changeInfo(change)}</GetChangeResponse>`);
    }
    throw new R53Error(404, 'NotFound', `${req.method} ${url.pathname} is not simulated`);
  } catch (e) {
    if (!(e instanceof R53Error)) throw e;
    const type = e.status >= 500 ? 'Receiver' : 'Sender';
    sendXml(res, e.status, `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${type}</Type><Code>${e.code}</Code><Message>${esc(e.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`);
  }
}

recordSets = initialSets();
serve(Number(required('PRA_SIM_PORT')), handle);
