import type { ZertoEndpoint } from '../../hooks/drivers/zerto/config';
import { Secret } from '../../hooks/drivers/common/secret';
import type { Exposure } from '../support/secret-scan';
import { testenv } from '../support/testenv';

/** The testenv's Zerto simulator: each test file gets its own isolated instance through the control endpoint. */

/** Awaits a promise, recording its rejection in `exposure` before passing it on (inside `expect(...).rejects`). */
export function recordRejection(exposure: Exposure): <T>(promise: Promise<T>) => Promise<T> {
  return (promise) =>
    promise.catch((e: unknown) => {
      exposure.addError(e);
      throw e;
    });
}

export interface SimHandle {
  readonly id: string;
  /** Site name -> that site's ZVM API base URL. */
  readonly urls: Record<string, string>;
  control<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T>;
  state(): Promise<SimState>;
  close(): Promise<void>;
}

export interface SimState {
  vpgs: Array<Record<string, unknown>>;
  powerEvents: Array<{ action: string; site: string; vms: string[]; error?: string }>;
  /** Every call seen, with the JSON body and answer of API calls (never of logins). */
  requests: Array<{ site: string; method: string; path: string; status: number; body?: unknown; answer?: unknown }>;
}

/**
 * `vcenter: true` powers VMs in the testenv's vCenter simulators: hold `exclusive('vcenter-example-vms')` then.
 * `recoveredNames`: 'protected' (default, the documented model) or 'peer' (the seeds').
 */
export async function startSim(options: { activeSite?: string; withoutVpgs?: string[]; vcenter?: boolean; recoveredNames?: 'protected' | 'peer' } = {}): Promise<SimHandle> {
  const base = testenv('ZERTO_CONTROL_URL');
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = (await res.json()) as T;
    if (!res.ok) throw new Error(`zerto sim control ${method} ${path}: HTTP ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const created = await call<{ id: string; urls: Record<string, string> }>('POST', '/instances', options);
  const prefix = `/instances/${created.id}`;
  return {
    id: created.id,
    urls: created.urls,
    control: (method, path, body) => call(method, `${prefix}${path}`, body),
    state: () => call<SimState>('GET', `${prefix}/state`),
    close: async () => void (await call('DELETE', prefix)),
  };
}

/** The test credentials, for the secret scan. */
export const testSecrets = (): string[] => [testenv('ZERTO_PASSWORD'), testenv('ZERTO_CLIENT_SECRET')];

/** An endpoint of `site`'s simulated ZVM trusting the testenv CA; keycloak password grant unless overridden. */
export function simEndpoint(sim: SimHandle, site: string, overrides: Partial<ZertoEndpoint> = {}): ZertoEndpoint {
  return {
    url: sim.urls[site],
    auth: 'keycloak',
    username: testenv('ZERTO_USERNAME'),
    password: new Secret(testenv('ZERTO_PASSWORD')),
    caFile: testenv('CA'),
    ...overrides,
  };
}

/** Fast retries for tests: the behaviour is the same, the backoff short. */
export const quickRetry = { attempts: 3, baseDelayMs: 10, maxDelayMs: 50 };
