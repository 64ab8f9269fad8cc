import { AuthError, PermanentError } from '../common/errors';
import { HttpClient, type HttpRequest, type HttpResponse } from '../common/http';
import { withRetry, type RetryOptions, type Sleep } from '../common/retry';
import { KeycloakAuth, SessionAuth, type ZertoAuth } from './auth';
import type { ZertoEndpoint } from './config';

export interface ZertoDeps {
  /** Where login, re-login, retry and action lines go (never secrets). @default nowhere */
  readonly log?: (line: string) => void;
  readonly now?: () => number;
  readonly sleep?: Sleep;
  /** Retry policy of every call (transient errors only). @default 4 attempts, 200 ms base delay */
  readonly retry?: RetryOptions;
  /** An HTTP client of the endpoint's own (tests); built from the endpoint's URL and TLS policy otherwise. */
  readonly http?: HttpClient;
}

/**
 * Authenticated JSON calls to one ZVM: logs in lazily, renews before expiry, logs in again once on a 401,
 * and retries transient failures (network, 5xx, timeouts) with the shared jittered backoff.
 */
export class ZertoClient {
  readonly system: string;
  private readonly http: HttpClient;
  private readonly auth: ZertoAuth;
  readonly log: (line: string) => void;
  private readonly now: () => number;
  private readonly retry: RetryOptions;

  constructor(
    /** The site whose ZVM this is, for messages (`zerto rbx: ...`). */
    readonly site: string,
    private readonly endpoint: ZertoEndpoint,
    deps: ZertoDeps = {},
  ) {
    this.system = `zerto ${site}`;
    this.http = deps.http ?? new HttpClient(this.system, endpoint.url, { insecure: endpoint.insecure, caFile: endpoint.caFile });
    this.log = deps.log ?? (() => undefined);
    this.now = deps.now ?? Date.now;
    this.retry = {
      attempts: 4,
      baseDelayMs: 200,
      ...deps.retry,
      sleep: deps.retry?.sleep ?? deps.sleep,
      onRetry: (error, attempt, delayMs) => this.log(`${error.message}; attempt ${attempt + 1} in ${delayMs} ms`),
    };
    const authDeps = { http: this.http, log: this.log, now: this.now, send: (req: HttpRequest) => this.timed(req) };
    this.auth = endpoint.auth === 'session' ? new SessionAuth(endpoint, authDeps) : new KeycloakAuth(endpoint, authDeps);
  }

  get<T = unknown>(path: string): Promise<T> {
    return this.call('GET', path) as Promise<T>;
  }

  post<T = unknown>(path: string, body?: unknown): Promise<T> {
    return this.call('POST', path, body) as Promise<T>;
  }

  put(path: string, body: unknown): Promise<unknown> {
    return this.call('PUT', path, body);
  }

  delete(path: string): Promise<unknown> {
    return this.call('DELETE', path);
  }

  /**
   * One API call: the parsed JSON answer (undefined when empty). Transient failures are retried, except with
   * `once` (actions that are not idempotent: the caller finds out whether the ZVM acted).
   */
  call(method: string, path: string, body?: unknown, options: { readonly once?: boolean } = {}): Promise<unknown> {
    return withRetry(async () => {
      const res = await this.authorized({ method, url: path, body: body === undefined ? undefined : JSON.stringify(body) });
      if (!res.body) return undefined;
      try {
        return JSON.parse(res.body) as unknown;
      } catch {
        throw new PermanentError(this.system, `${method} ${path.split('?')[0]} answered HTTP ${res.status} with a body that is not JSON`);
      }
    }, options.once ? { ...this.retry, attempts: 1 } : this.retry);
  }

  /** Ends the session (Windows ZVM) or forgets the tokens, then closes the connections. */
  async close(): Promise<void> {
    try {
      await this.auth.logout();
    } finally {
      this.http.close();
    }
  }

  private async authorized(req: HttpRequest): Promise<HttpResponse> {
    const send = async (auth: Record<string, string>) => this.timed({ ...req, headers: { ...auth, 'content-type': 'application/json', accept: 'application/json' } });
    const auth = await this.auth.headers();
    try {
      return await send(auth);
    } catch (e) {
      if (!(e instanceof AuthError)) throw e;
      // The session or token ended on the ZVM's side (idle expiry, restart): log in again, once.
      this.log(`${this.system}: ${req.method} ${req.url.split('?')[0]} was refused (expired session or token); logging in again`);
      this.auth.invalidate();
      return send(await this.auth.headers());
    }
  }

  private async timed(req: HttpRequest): Promise<HttpResponse> {
    return this.http.send({ ...req, timeoutMs: req.timeoutMs ?? this.endpoint.requestTimeoutMs });
  }
}
