import { AuthError, PermanentError } from '../common/errors';
import type { HttpClient, HttpRequest, HttpResponse } from '../common/http';
import type { ZertoEndpoint } from './config';
import { num, str } from './fields';

/** Supplies the headers that authenticate a call; `invalidate` after a 401 forces a fresh login. */
export interface ZertoAuth {
  headers(): Promise<Record<string, string>>;
  invalidate(): void;
  logout(): Promise<void>;
}

export interface AuthDeps {
  readonly http: HttpClient;
  readonly log: (line: string) => void;
  readonly now: () => number;
  /** Sends a login call with the client's retry policy (transient failures only). */
  readonly send: (req: HttpRequest) => Promise<HttpResponse>;
}

export const TOKEN_PATH = '/auth/realms/zerto/protocol/openid-connect/token';
/** Keycloak's OpenID Connect end-session endpoint in the same realm. */
export const LOGOUT_PATH = '/auth/realms/zerto/protocol/openid-connect/logout';
/** The ZVMA's public Keycloak client, the one `grant_type=password` goes through. */
const PUBLIC_CLIENT = 'zerto-client';

/** Turns a refused login into an AuthError naming the account and the fix, never the password. */
async function login<T>(endpoint: ZertoEndpoint, system: string, attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (e) {
    if (!(e instanceof AuthError)) throw e;
    const who = endpoint.grant === 'client_credentials' ? `client ${endpoint.username}` : `user ${endpoint.username}`;
    throw new AuthError(system, `login refused for ${who}: check the username and the password secret`);
  }
}

/** Windows ZVM: `POST /v1/session/add` with Basic, the session id in `x-zerto-session`. */
export class SessionAuth implements ZertoAuth {
  private session?: { id: string; lastUsed: number };

  constructor(
    private readonly endpoint: ZertoEndpoint,
    private readonly deps: AuthDeps,
  ) {}

  async headers(): Promise<Record<string, string>> {
    // Log in again a minute before the ZVM's idle expiry rather than collect a 401.
    const idleLimit = (this.endpoint.sessionIdleMs ?? 1_800_000) - 60_000;
    if (this.session && this.deps.now() - this.session.lastUsed > idleLimit) this.session = undefined;
    this.session ??= { id: await this.open(), lastUsed: 0 };
    this.session.lastUsed = this.deps.now();
    return { 'x-zerto-session': this.session.id };
  }

  invalidate(): void {
    this.session = undefined;
  }

  async logout(): Promise<void> {
    const id = this.session?.id;
    this.session = undefined;
    if (id !== undefined) await this.deps.http.request({ method: 'DELETE', url: '/v1/session', headers: { 'x-zerto-session': id } });
  }

  private async open(): Promise<string> {
    const system = this.deps.http.system;
    const basic = Buffer.from(`${this.endpoint.username}:${this.endpoint.password.reveal()}`).toString('base64');
    const res = await login(this.endpoint, system, () =>
      this.deps.send({ method: 'POST', url: '/v1/session/add', headers: { authorization: `Basic ${basic}`, 'content-type': 'application/json' }, body: JSON.stringify({ AuthenticationMethod: 1 }) }),
    );
    const id = res.headers['x-zerto-session'];
    if (typeof id !== 'string' || !id) throw new PermanentError(system, 'login answered without an x-zerto-session header: is this a Windows ZVM? set auth: keycloak for a ZVMA');
    this.deps.log(`${system}: session opened for ${this.endpoint.username}`);
    return id;
  }
}

interface Tokens {
  readonly access: string;
  /** When to renew: before `expires_in` runs out, by a fifth of the lifetime (at most 30 s). */
  readonly renewAt: number;
  readonly refresh?: string;
  readonly refreshUntil: number;
}

/** ZVMA 10.x: Keycloak tokens (password or client_credentials grant), renewed with the refresh token. */
export class KeycloakAuth implements ZertoAuth {
  private tokens?: Tokens;

  constructor(
    private readonly endpoint: ZertoEndpoint,
    private readonly deps: AuthDeps,
  ) {}

  async headers(): Promise<Record<string, string>> {
    if (!this.tokens || this.deps.now() >= this.tokens.renewAt) this.tokens = await this.renew(this.tokens);
    return { authorization: `Bearer ${this.tokens.access}` };
  }

  invalidate(): void {
    this.tokens = undefined;
  }

  /** Ends the Keycloak session (its end-session endpoint), so the tokens stop working now rather than at expiry. */
  async logout(): Promise<void> {
    const refresh = this.tokens?.refresh;
    this.tokens = undefined;
    if (refresh === undefined) return;
    try {
      await this.deps.send({ method: 'POST', url: LOGOUT_PATH, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ refresh_token: refresh, ...this.client() }).toString() });
    } catch (e) {
      // A session Keycloak already ended (expiry, restart) is refused: nothing is left to end.
      this.deps.log(`${this.deps.http.system}: logout not confirmed (${(e as Error).message})`);
    }
  }

  private async renew(current: Tokens | undefined): Promise<Tokens> {
    const system = this.deps.http.system;
    if (current?.refresh && this.deps.now() < current.refreshUntil) {
      try {
        return await this.grant({ grant_type: 'refresh_token', refresh_token: current.refresh, ...this.client() });
      } catch (e) {
        if (!(e instanceof AuthError || e instanceof PermanentError)) throw e;
        this.deps.log(`${system}: refresh token refused, logging in again`);
      }
    }
    const form = this.endpoint.grant === 'client_credentials'
      ? { grant_type: 'client_credentials', ...this.client() }
      : { grant_type: 'password', ...this.client(), username: this.endpoint.username, password: this.endpoint.password.reveal() };
    const tokens = await login(this.endpoint, system, () => this.grant(form));
    this.deps.log(`${system}: token issued for ${this.endpoint.username}`);
    return tokens;
  }

  private client(): Record<string, string> {
    return this.endpoint.grant === 'client_credentials'
      ? { client_id: this.endpoint.username, client_secret: this.endpoint.password.reveal() }
      : { client_id: PUBLIC_CLIENT };
  }

  private async grant(form: Record<string, string>): Promise<Tokens> {
    const res = await this.deps.send({ method: 'POST', url: TOKEN_PATH, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      body = undefined;
    }
    const access = str(body, 'access_token');
    const lifetimeMs = (num(body, 'expires_in') ?? 60) * 1000;
    if (!access) throw new PermanentError(this.deps.http.system, `${TOKEN_PATH} answered without an access_token`);
    const now = this.deps.now();
    return {
      access,
      renewAt: now + lifetimeMs - Math.min(30_000, lifetimeMs / 5),
      refresh: str(body, 'refresh_token'),
      refreshUntil: now + (num(body, 'refresh_expires_in') ?? 0) * 1000,
    };
  }
}
