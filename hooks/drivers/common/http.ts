import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { AuthError, NotFoundError, PermanentError, TimeoutError, TransientError } from './errors';

/** TLS settings of one endpoint: verification is on unless `insecure` is set; `caFile` adds a trusted CA. */
export interface TlsOptions {
  readonly insecure?: boolean;
  readonly caFile?: string;
}

export interface HttpRequest {
  readonly method: string;
  readonly url: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  readonly timeoutMs?: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** A keep-alive HTTPS agent with the endpoint's TLS policy (for clients that bring their own HTTP stack too). */
export function httpsAgent(tls: TlsOptions): https.Agent {
  return new https.Agent({
    keepAlive: true,
    rejectUnauthorized: !tls.insecure,
    ca: tls.caFile ? readFileSync(tls.caFile) : undefined,
  });
}

/**
 * One HTTP(S) client per endpoint, keep-alive, with the endpoint's TLS policy.
 * `request` returns any status; `send` maps statuses to typed errors for drivers.
 */
export class HttpClient {
  private readonly agent: http.Agent | https.Agent;
  constructor(
    readonly system: string,
    readonly baseUrl: string,
    tls: TlsOptions = {},
  ) {
    this.agent = baseUrl.startsWith('https:') ? httpsAgent(tls) : new http.Agent({ keepAlive: true });
  }

  request(req: HttpRequest): Promise<HttpResponse> {
    const url = new URL(req.url, this.baseUrl);
    const lib = url.protocol === 'https:' ? https : http;
    const timeoutMs = req.timeoutMs ?? 30000;
    return new Promise((resolve, reject) => {
      const r = lib.request(url, { method: req.method, headers: req.headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (e) => reject(this.networkError(req.method, url, e)));
      });
      r.setTimeout(timeoutMs, () => r.destroy(new TimeoutError(this.system, `${req.method} ${url.pathname} timed out after ${timeoutMs} ms`)));
      r.on('error', (e) => reject(e instanceof TimeoutError ? e : this.networkError(req.method, url, e)));
      if (req.body !== undefined) r.write(req.body);
      r.end();
    });
  }

  /** Like `request`, but a non-2xx status becomes a typed error (401/403 auth, 404 not found, 5xx/429 transient). */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const res = await this.request(req);
    if (res.status >= 200 && res.status < 300) return res;
    const path = new URL(req.url, this.baseUrl).pathname;
    const what = `${req.method} ${path} returned HTTP ${res.status}`;
    const detail = res.body.slice(0, 300);
    if (res.status === 401 || res.status === 403) throw new AuthError(this.system, what, detail);
    if (res.status === 404) throw new NotFoundError(this.system, what, detail);
    if (res.status >= 500 || res.status === 429) throw new TransientError(this.system, what, detail);
    throw new PermanentError(this.system, what, detail);
  }

  close(): void {
    this.agent.destroy();
  }

  private networkError(method: string, url: URL, e: Error): Error {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    // Certificate problems never heal by retrying: surface them with the way out.
    if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
      return new PermanentError(this.system, `TLS verification failed for ${url.host} (${code}); add its CA with caFile, or set insecure: true for this endpoint only`);
    }
    return new TransientError(this.system, `${method} ${url.pathname} failed: ${code || e.message}`);
  }
}
