import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { realSleep } from '../../hooks/drivers/common/retry';
import { Secret } from '../../hooks/drivers/common/secret';
import type { DnsChanges } from '../../hooks/drivers/dns/index';
import { Rfc2136Dns } from '../../hooks/drivers/dns/rfc2136';
import { parseHostPorts } from '../../hooks/drivers/dns/verify';

/** What every HTTP simulator shares: HTTPS with the testenv cert, body reading, faults, publishing into BIND. */

export function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`simulator: ${name} is not set (the testenv service passes it)`);
  return value;
}

export type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => Promise<void>;

/** The whole body of a request. */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** HTTPS when PRA_SIM_TLS_CERT/KEY are set (always, from testenv), listening on 127.0.0.1 only. */
export function serve(port: number, handler: Handler): Server {
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    readBody(req)
      .then((body) => handler(req, body.toString('utf8'), res))
      .catch((e: Error) => {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(`simulator error: ${e.message}`);
      });
  };
  const cert = process.env.PRA_SIM_TLS_CERT;
  const server = cert
    ? createHttpsServer({ cert: readFileSync(cert), key: readFileSync(required('PRA_SIM_TLS_KEY')) }, onRequest)
    : createServer(onRequest);
  server.listen(port, '127.0.0.1');
  return server;
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Fault injection, set through each simulator's control endpoint. */
export interface FaultSpec {
  /** Answer the next `failCount` matching calls with `failStatus` (default 503). */
  readonly failCount?: number;
  readonly failStatus?: number;
  /** Only calls whose path starts with this are affected (so parallel test files do not disturb each other). */
  readonly pathPrefix?: string;
  /** Added before every matching answer. */
  readonly latencyMs?: number;
}

export class Faults {
  private spec: FaultSpec = {};
  private remaining = 0;

  set(spec: FaultSpec): void {
    this.spec = spec;
    this.remaining = spec.failCount ?? 0;
  }

  reset(): void {
    this.set({});
  }

  /** Applies latency; returns the status to fail this call with, if any. */
  async apply(path: string): Promise<number | undefined> {
    if (this.spec.pathPrefix !== undefined && !path.startsWith(this.spec.pathPrefix)) return undefined;
    if (this.spec.latencyMs) await realSleep(this.spec.latencyMs);
    if (this.remaining <= 0) return undefined;
    this.remaining--;
    return this.spec.failStatus ?? 503;
  }
}

/**
 * Publishes a simulator's zone changes into the testenv BIND primary by RFC 2136 (our own driver), so
 * verification reads real DNS; the secondary follows by NOTIFY + IXFR.
 */
export class BindPublisher {
  private readonly dns = new Map<string, Rfc2136Dns>();

  publish(zone: string, changes: DnsChanges): Promise<void> {
    let dns = this.dns.get(zone);
    if (!dns) {
      dns = new Rfc2136Dns({
        zone,
        server: parseHostPorts(required('PRA_TESTENV_DNS_PRIMARY'))[0],
        key: { name: required('PRA_TESTENV_TSIG_NAME'), algorithm: 'hmac-sha256', secret: new Secret(required('PRA_TESTENV_TSIG_SECRET')) },
      });
      this.dns.set(zone, dns);
    }
    return dns.applyChanges(changes);
  }
}
