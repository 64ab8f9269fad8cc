import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { realSleep } from '../../../hooks/drivers/common/retry';
import { readBody } from '../common';

/**
 * A fault-injecting HTTPS proxy in front of one vcsim: vcsim itself never answers 5xx, hangs, or
 * loses a session on demand, and faults injected there would hit every other test using it.
 * Clients that want faults talk to this proxy; everything else goes to vcsim directly.
 *
 * Control (plain HTTP on its own port):
 *   POST /faults {"fail": {"count": 2, "status": 503}, "delay": {"count": 1, "ms": 5000}}
 *        the next `count` proxied requests answer `status` / are held `ms` before being forwarded
 *   POST /expire-sessions   logs out (on vcsim) every session created through the proxy, as an
 *        administrator terminating sessions would; answers {"expired": n}
 *   POST /reset             clears faults and counters;  GET /stats -> {"requests": n}
 *
 * Usage: main.js --listen PORT --control-port PORT --upstream https://127.0.0.1:P/sdk --cert F --key F --ca F
 */

interface Faults {
  fail: { count: number; status: number };
  delay: { count: number; ms: number };
}

function args(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  return out;
}

const opts = args(process.argv.slice(2));
const upstream = new URL(opts.upstream);
const agent = new https.Agent({ keepAlive: true, ca: readFileSync(opts.ca) });
let faults: Faults = { fail: { count: 0, status: 503 }, delay: { count: 0, ms: 0 } };
let requests = 0;
const sessionCookies = new Set<string>();

function forward(method: string, path: string, headers: http.IncomingHttpHeaders, body: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: upstream.hostname, port: upstream.port, method, path, headers: { ...headers, host: upstream.host }, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function proxy(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  requests++;
  const body = await readBody(req);
  if (faults.delay.count > 0) {
    faults.delay.count--;
    await realSleep(faults.delay.ms);
    if (res.destroyed) return; // the client gave up: what a timeout test wants
  }
  if (faults.fail.count > 0) {
    faults.fail.count--;
    res.writeHead(faults.fail.status, { 'Content-Type': 'text/plain' }).end('injected fault\n');
    return;
  }
  const answer = await forward(req.method ?? 'POST', req.url ?? '/', req.headers, body);
  for (const cookie of answer.headers['set-cookie'] ?? []) sessionCookies.add(cookie.split(';')[0]);
  res.writeHead(answer.status, answer.headers).end(answer.body);
}

const logoutEnvelope =
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>' +
  '<Logout xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this></Logout></soapenv:Body></soapenv:Envelope>';

async function control(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const body = (await readBody(req)).toString('utf8');
  const reply = (value: unknown) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(value));
  if (req.method === 'POST' && req.url === '/faults') {
    const wanted = JSON.parse(body || '{}') as Partial<Faults>;
    faults = { fail: { count: 0, status: 503, ...wanted.fail }, delay: { count: 0, ms: 0, ...wanted.delay } };
    reply(faults);
  } else if (req.method === 'POST' && req.url === '/expire-sessions') {
    let expired = 0;
    for (const cookie of sessionCookies) {
      const answer = await forward('POST', upstream.pathname, { 'content-type': 'text/xml; charset=utf-8', soapaction: 'urn:vim25/6.7', cookie }, Buffer.from(logoutEnvelope));
      if (answer.status === 200) expired++;
    }
    sessionCookies.clear();
    reply({ expired });
  } else if (req.method === 'POST' && req.url === '/reset') {
    faults = { fail: { count: 0, status: 503 }, delay: { count: 0, ms: 0 } };
    requests = 0;
    reply({ ok: true });
  } else if (req.method === 'GET' && req.url === '/stats') {
    reply({ requests });
  } else {
    res.writeHead(404).end('POST /faults | POST /expire-sessions | POST /reset | GET /stats\n');
  }
}

function guarded(handler: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>) {
  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    handler(req, res).catch((error: Error) => {
      if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' }).end(`proxy: ${error.message}\n`);
    });
  };
}

https.createServer({ cert: readFileSync(opts.cert), key: readFileSync(opts.key) }, guarded(proxy)).listen(Number(opts.listen), '127.0.0.1');
http.createServer(guarded(control)).listen(Number(opts['control-port']), '127.0.0.1');
