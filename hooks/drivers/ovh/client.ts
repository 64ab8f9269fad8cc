import { createHash } from 'node:crypto';
import { AuthError, NotFoundError, PermanentError, TransientError } from '../common/errors';
import type { HttpClient, HttpResponse } from '../common/http';
import { withRetry, type Sleep } from '../common/retry';
import type { Secret } from '../common/secret';

/**
 * A small typed client of the OVHcloud API (`/1.0`), shared by the DNS and IPLB drivers. Requests are
 * signed with the application secret and consumer key (signature `$1$`), against the server's clock:
 * the offset is taken from `GET /auth/time` once, and again when the server says a request is out of time.
 */
export interface OvhCredentials {
  /** e.g. https://eu.api.ovh.com/1.0 */
  readonly endpoint: string;
  readonly applicationKey: string;
  readonly applicationSecret: Secret;
  readonly consumerKey: Secret;
}

export interface OvhDeps {
  /** A client for `endpoint`, with its TLS policy. */
  readonly http: HttpClient;
  /** Local time in milliseconds. @default Date.now */
  readonly clock?: () => number;
  readonly sleep?: Sleep;
}

/** `"$1$" + sha1hex(AS+"+"+CK+"+"+METHOD+"+"+fullURL+"+"+body+"+"+timestamp)`, as documented by OVHcloud. */
export function ovhSignature(applicationSecret: string, consumerKey: string, method: string, fullUrl: string, body: string, timestamp: number): string {
  return '$1$' + createHash('sha1').update([applicationSecret, consumerKey, method, fullUrl, body, String(timestamp)].join('+')).digest('hex');
}

/** The error body OVHcloud returns: `{errorCode?, httpCode?, message, class?}`. */
interface OvhErrorBody {
  readonly errorCode?: string;
  readonly message?: string;
}

const AUTH_CODES = new Set(['INVALID_SIGNATURE', 'INVALID_CREDENTIAL', 'NOT_CREDENTIAL', 'NOT_GRANTED_CALL', 'INVALID_KEY']);
const OUT_OF_TIME = 'QUERY_TIME_OUT';

export interface CallOptions {
  /** Retry 5xx/429/409 answers of a POST too (GET, PUT and DELETE are always retried). */
  readonly idempotent?: boolean;
}

export class OvhClient {
  private offsetSeconds: number | undefined;
  private readonly clock: () => number;

  constructor(
    readonly system: string,
    private readonly credentials: OvhCredentials,
    private readonly deps: OvhDeps,
  ) {
    this.clock = deps.clock ?? Date.now;
  }

  async call<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, options: CallOptions = {}): Promise<T> {
    const retried = method !== 'POST' || options.idempotent === true;
    return withRetry(() => this.callOnce<T>(method, path, body), { attempts: retried ? 6 : 1, sleep: this.deps.sleep, baseDelayMs: 100 });
  }

  private async callOnce<T>(method: string, path: string, body: unknown): Promise<T> {
    let res = await this.signedRequest(method, path, body);
    if (res.status === 400 && errorBody(res).errorCode === OUT_OF_TIME) {
      // The server's clock moved (or ours did): resynchronise once.
      this.offsetSeconds = undefined;
      res = await this.signedRequest(method, path, body);
    }
    return this.parse<T>(method, path, res);
  }

  private async signedRequest(method: string, path: string, body: unknown): Promise<HttpResponse> {
    const { endpoint, applicationKey, applicationSecret, consumerKey } = this.credentials;
    const url = endpoint + path;
    const text = body === undefined ? '' : JSON.stringify(body);
    const timestamp = Math.round(this.clock() / 1000) + (await this.serverOffset());
    const headers: Record<string, string> = {
      'X-Ovh-Application': applicationKey,
      'X-Ovh-Timestamp': String(timestamp),
      'X-Ovh-Consumer': consumerKey.reveal(),
      'X-Ovh-Signature': ovhSignature(applicationSecret.reveal(), consumerKey.reveal(), method, url, text, timestamp),
      Accept: 'application/json',
    };
    if (text) headers['Content-Type'] = 'application/json';
    return this.deps.http.request({ method, url, headers, body: text || undefined });
  }

  private async serverOffset(): Promise<number> {
    if (this.offsetSeconds === undefined) {
      const before = this.clock();
      const res = await this.deps.http.send({ method: 'GET', url: `${this.credentials.endpoint}/auth/time` });
      const serverSeconds = Number(res.body);
      if (!Number.isFinite(serverSeconds)) throw new PermanentError(this.system, `GET /auth/time returned ${res.body.slice(0, 40)}, not a number of seconds`);
      // Half the round trip: the server read its clock about then.
      this.offsetSeconds = Math.round(serverSeconds - (before + this.clock()) / 2000);
    }
    return this.offsetSeconds;
  }

  private parse<T>(method: string, path: string, res: HttpResponse): T {
    const what = `${method} ${path.split('?')[0]}`;
    if (res.status >= 200 && res.status < 300) return (res.body ? JSON.parse(res.body) : null) as T;
    const err = errorBody(res);
    const detail = `HTTP ${res.status}${err.errorCode ? ` ${err.errorCode}` : ''}: ${err.message ?? res.body.slice(0, 200)}`;
    if (res.status === 401 || res.status === 403 || (err.errorCode !== undefined && (AUTH_CODES.has(err.errorCode) || err.errorCode === OUT_OF_TIME))) {
      throw new AuthError(this.system, `${what} refused (${detail}); check the application key, secret and consumer key, and the consumer key's rights`);
    }
    if (res.status === 404) throw new NotFoundError(this.system, `${what}: not found (${detail})`);
    // 409: the resource is busy (e.g. a zone refresh already running): it clears by itself.
    if (res.status === 409 || res.status === 429 || res.status >= 500) throw new TransientError(this.system, `${what} failed (${detail})`);
    throw new PermanentError(this.system, `${what} failed (${detail})`);
  }
}

function errorBody(res: HttpResponse): OvhErrorBody {
  try {
    return JSON.parse(res.body) as OvhErrorBody;
  } catch {
    return {};
  }
}
