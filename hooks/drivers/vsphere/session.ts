import { AuthError, PermanentError } from '../common/errors';
import { HttpClient } from '../common/http';
import { withRetry, type RetryOptions, type Sleep } from '../common/retry';
import type { Secret } from '../common/secret';
import { readMoRef, SoapTransport, textXml, type MoRef } from './soap';
import type { XmlElement } from './xml';

/** One vCenter endpoint (the `/sdk` URL) and the datacenter the driver works in. */
export interface VsphereConfig {
  /** The SOAP endpoint, e.g. `https://vcenter.example.net/sdk`. */
  readonly url: string;
  readonly datacenter: string;
  readonly username: string;
  readonly password: Secret;
  /** Skip TLS verification for this endpoint only. @default false */
  readonly insecure?: boolean;
  /** A PEM CA to trust in addition to the system's. */
  readonly caFile?: string;
  /** How errors and log lines name this endpoint. @default `vcenter <host>` */
  readonly name?: string;
  /** Bound of one SOAP request (a topology site's `vcenter.requestTimeoutSeconds`). @default deps.requestTimeoutMs, then 30000 */
  readonly requestTimeoutMs?: number;
}

export interface VsphereDeps {
  /** @default a keep-alive client with the config's TLS policy */
  readonly http?: HttpClient;
  readonly sleep?: Sleep;
  readonly log?: (line: string) => void;
  /** Retry policy for transient failures of one SOAP call. @default 4 attempts, 250 ms base */
  readonly retry?: RetryOptions;
  /** Bound of one SOAP request when the config sets none. @default 30000 */
  readonly requestTimeoutMs?: number;
}

/** The few ServiceContent members the driver uses. */
export interface ServiceContent {
  readonly rootFolder: MoRef;
  readonly propertyCollector: MoRef;
  readonly searchIndex: MoRef;
  readonly sessionManager: MoRef;
  readonly viewManager: MoRef;
}

const SERVICE_INSTANCE: MoRef = { type: 'ServiceInstance', value: 'ServiceInstance' };

/**
 * A logged-in vim25 session. Every call logs in when needed, logs in again once when the server says
 * the session is gone (NotAuthenticated: idle expiry, vCenter restart, an admin terminating it), and
 * retries transient failures with the shared backoff. Concurrent callers share one login.
 */
export class VsphereSession {
  readonly system: string;
  private readonly transport: SoapTransport;
  private readonly http: HttpClient;
  private readonly ownsHttp: boolean;
  private content: ServiceContent | undefined;
  /** Increments on every successful login; a caller that saw NotAuthenticated under an older one just retries. */
  private generation = 0;
  private loggingIn: Promise<number> | undefined;

  constructor(
    private readonly config: VsphereConfig,
    private readonly deps: VsphereDeps = {},
  ) {
    this.system = config.name ?? `vcenter ${new URL(config.url).host}`;
    this.ownsHttp = deps.http === undefined;
    this.http = deps.http ?? new HttpClient(this.system, config.url, { insecure: config.insecure, caFile: config.caFile });
    this.transport = new SoapTransport(this.system, this.http, config.url, config.requestTimeoutMs ?? deps.requestTimeoutMs ?? 30000);
  }

  get datacenter(): string {
    return this.config.datacenter;
  }

  /** Calls a method on a managed object, with login, one re-login and transient retries. */
  call(method: string, target: MoRef, args = ''): Promise<XmlElement> {
    return this.retrying(method, async () => {
      const seen = this.transport.hasSession ? this.generation : await this.sharedLogin();
      try {
        return await this.transport.invoke(method, target, args);
      } catch (error) {
        if (!(error instanceof AuthError)) throw error;
        this.log(`${method}: session no longer valid; logging in again`);
        if (this.generation === seen) await this.sharedLogin();
        return this.transport.invoke(method, target, args);
      }
    });
  }

  serviceContent(): Promise<ServiceContent> {
    return this.retrying('RetrieveServiceContent', () => this.fetchServiceContent());
  }

  /** Logs in now (the first call does it anyway); wrong credentials throw AuthError at once. */
  async login(): Promise<void> {
    await this.retrying('Login', () => this.sharedLogin());
  }

  /** Ends the session on the server; harmless when there is none. */
  async logout(): Promise<void> {
    if (!this.transport.hasSession) return;
    const { sessionManager } = await this.serviceContent();
    try {
      await this.transport.invoke('Logout', sessionManager);
    } catch (error) {
      if (!(error instanceof AuthError)) throw error; // already gone: that is what we wanted
    } finally {
      this.transport.forgetSession();
    }
  }

  /** Logs out and releases the connection pool (when the session created it). */
  async close(): Promise<void> {
    try {
      await this.logout();
    } finally {
      if (this.ownsHttp) this.http.close();
    }
  }

  private async fetchServiceContent(): Promise<ServiceContent> {
    if (this.content) return this.content;
    const response = await this.transport.invoke('RetrieveServiceContent', SERVICE_INSTANCE);
    const value = response.child('returnval');
    const ref = (name: string): MoRef => {
      const element = value?.child(name);
      if (!element) throw new PermanentError(this.system, `RetrieveServiceContent: no ${name} in the service content; is this a vCenter?`);
      return readMoRef(element);
    };
    this.content = {
      rootFolder: ref('rootFolder'),
      propertyCollector: ref('propertyCollector'),
      searchIndex: ref('searchIndex'),
      sessionManager: ref('sessionManager'),
      viewManager: ref('viewManager'),
    };
    return this.content;
  }

  /** One login at a time: concurrent callers join the login in flight. Not retried here (callers retry). */
  private sharedLogin(): Promise<number> {
    this.loggingIn ??= this.loginOnce().finally(() => {
      this.loggingIn = undefined;
    });
    return this.loggingIn;
  }

  private async loginOnce(): Promise<number> {
    const { sessionManager } = await this.fetchServiceContent();
    this.transport.forgetSession();
    const args = textXml('userName', this.config.username) + textXml('password', this.config.password.reveal());
    try {
      await this.transport.invoke('Login', sessionManager, args);
    } catch (error) {
      if (error instanceof AuthError) {
        throw new AuthError(this.system, `login as ${this.config.username} refused: check the username and the password`, error.message);
      }
      throw error;
    }
    this.log(`logged in as ${this.config.username}`);
    return ++this.generation;
  }

  private retrying<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return withRetry(fn, {
      attempts: 4,
      baseDelayMs: 250,
      ...this.deps.retry,
      sleep: this.deps.sleep ?? this.deps.retry?.sleep,
      onRetry: (error, attempt, delayMs) => this.log(`${what}: attempt ${attempt} failed (${error.message}); retrying in ${delayMs} ms`),
    });
  }

  private log(line: string): void {
    this.deps.log?.(`${this.system}: ${line}`);
  }
}
