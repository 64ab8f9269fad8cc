import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface Credentials {
  readonly username: string;
  readonly password: string;
  /** Keycloak client for `grant_type=client_credentials`. */
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface AuthTiming {
  /** A Windows ZVM session ends after this long without a call (30 min on real ZVMs). */
  sessionIdleMs: number;
  /** Keycloak `expires_in` of an access token. */
  accessTokenMs: number;
  /** Keycloak `refresh_expires_in`. */
  refreshTokenMs: number;
}

/** The public Keycloak client the ZVMA's own UI uses; `grant_type=password` goes through it. */
const PUBLIC_CLIENT_ID = 'zerto-client';

type Reply = { status: number; body: unknown; headers?: Record<string, string> };

const opaque = () => randomBytes(24).toString('base64url');

/** Both ZVM login schemes: Windows ZVM sessions (`x-zerto-session`) and ZVMA Keycloak bearer tokens. */
export class AuthRealm {
  private readonly sessions = new Map<string, number>();
  private readonly accessTokens = new Map<string, number>();
  private readonly refreshTokens = new Map<string, number>();
  /** Refresh token -> the access token issued with it (what a logout ends). */
  private readonly accessOf = new Map<string, string>();

  constructor(
    private readonly credentials: Credentials,
    readonly timing: AuthTiming,
  ) {}

  /** `POST /v1/session/add` with HTTP Basic. */
  addSession(headers: IncomingHttpHeaders): Reply {
    const basic = /^Basic\s+(.+)$/i.exec(headers.authorization ?? '');
    const [user, ...rest] = basic ? Buffer.from(basic[1], 'base64').toString('utf8').split(':') : [];
    if (user !== this.credentials.username || rest.join(':') !== this.credentials.password) {
      return { status: 401, body: { Message: 'Authorization has been denied for this request.' } };
    }
    const id = opaque();
    this.sessions.set(id, Date.now());
    return { status: 200, body: null, headers: { 'x-zerto-session': id } };
  }

  deleteSession(headers: IncomingHttpHeaders): Reply {
    const id = headers['x-zerto-session'];
    if (typeof id === 'string') this.sessions.delete(id);
    return { status: 200, body: null };
  }

  /** `POST /auth/realms/zerto/protocol/openid-connect/token` (form fields). */
  token(form: URLSearchParams): Reply {
    const grant = form.get('grant_type');
    const clientId = form.get('client_id');
    if (grant === 'password') {
      const ok = clientId === PUBLIC_CLIENT_ID && form.get('username') === this.credentials.username && form.get('password') === this.credentials.password;
      return ok ? this.issue(true) : invalidGrant(401, 'Invalid user credentials');
    }
    if (grant === 'client_credentials') {
      const ok = clientId === this.credentials.clientId && form.get('client_secret') === this.credentials.clientSecret;
      return ok ? this.issue(false) : { status: 401, body: { error: 'unauthorized_client', error_description: 'Invalid client or Invalid client credentials' } };
    }
    if (grant === 'refresh_token') {
      const refresh = form.get('refresh_token') ?? '';
      const until = this.refreshTokens.get(refresh);
      if (until === undefined || until < Date.now()) return invalidGrant(400, 'Token is not active');
      this.refreshTokens.delete(refresh);
      return this.issue(true);
    }
    return { status: 400, body: { error: 'unsupported_grant_type', error_description: `Unsupported grant_type ${grant}` } };
  }

  /**
   * Keycloak's end-session endpoint (`.../openid-connect/logout`, form `client_id` and `refresh_token`):
   * the refresh token and the access token issued with it stop working. 204, or 400 for an unknown token.
   */
  logout(form: URLSearchParams): Reply {
    const refresh = form.get('refresh_token') ?? '';
    if (form.get('client_id') !== PUBLIC_CLIENT_ID || !this.refreshTokens.has(refresh)) return invalidGrant(400, 'Invalid refresh token');
    this.refreshTokens.delete(refresh);
    this.accessTokens.delete(this.accessOf.get(refresh) ?? '');
    this.accessOf.delete(refresh);
    return { status: 204, body: null };
  }

  /** True when the request carries a live session or bearer token; touching a session keeps it alive. */
  authorized(headers: IncomingHttpHeaders): boolean {
    const now = Date.now();
    const session = headers['x-zerto-session'];
    if (typeof session === 'string') {
      const last = this.sessions.get(session);
      if (last === undefined || now - last > this.timing.sessionIdleMs) return false;
      this.sessions.set(session, now);
      return true;
    }
    const bearer = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '');
    const until = bearer ? this.accessTokens.get(bearer[1]) : undefined;
    return until !== undefined && until >= now;
  }

  /** Ends every session and token at once (the control endpoint's "auth expiry now"). */
  expireAll(): void {
    this.sessions.clear();
    this.accessTokens.clear();
    this.refreshTokens.clear();
    this.accessOf.clear();
  }

  private issue(withRefresh: boolean): Reply {
    const access = opaque();
    this.accessTokens.set(access, Date.now() + this.timing.accessTokenMs);
    const body: Record<string, unknown> = {
      access_token: access,
      expires_in: Math.round(this.timing.accessTokenMs / 1000),
      token_type: 'Bearer',
      'not-before-policy': 0,
      scope: 'openid profile email',
    };
    if (withRefresh) {
      const refresh = opaque();
      this.refreshTokens.set(refresh, Date.now() + this.timing.refreshTokenMs);
      this.accessOf.set(refresh, access);
      Object.assign(body, { refresh_token: refresh, refresh_expires_in: Math.round(this.timing.refreshTokenMs / 1000), session_state: opaque() });
    }
    return { status: 200, body };
  }
}

const invalidGrant = (status: number, description: string): Reply => ({ status, body: { error: 'invalid_grant', error_description: description } });
