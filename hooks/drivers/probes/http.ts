import { HttpClient, type TlsOptions } from '../common/http';
import { monotonicClock, timed, type Clock, type ProbeResult } from './result';

export interface HttpProbe extends TlsOptions {
  readonly url: string;
  /** @default 200 */
  readonly expectStatus?: number;
  /** Fields the JSON body must hold with these values (a subset: other fields are ignored). */
  readonly expectJson?: Readonly<Record<string, unknown>>;
  /** Text the body must contain. */
  readonly expectText?: string;
  /** @default 5000 */
  readonly timeoutMs?: number;
}

/** GETs the URL with the check's TLS policy; ok when status, JSON subset and text all match. */
export function probeHttp(probe: HttpProbe, clock: Clock = monotonicClock): Promise<ProbeResult> {
  const url = new URL(probe.url); // a malformed URL is misuse: throws here, before timing
  const shown = withoutCredentials(url); // details go to the journal: never a `user:password@`
  const expectStatus = probe.expectStatus ?? 200;
  const client = new HttpClient(`http ${url.host}`, url.origin, probe);
  return timed(
    clock,
    async () => {
      try {
        const response = await client.request({ method: 'GET', url: url.toString(), timeoutMs: probe.timeoutMs ?? 5000 });
        const mismatch = statusMismatch(response.status, expectStatus) ?? bodyMismatch(response.body, probe);
        return mismatch ? { ok: false, detail: `GET ${shown}: ${mismatch}` } : { ok: true, detail: `GET ${shown}: ${response.status} as expected` };
      } finally {
        client.close();
      }
    },
    (error) => ({ ok: false, detail: `GET ${shown}: ${error.message}` }),
  );
}

function withoutCredentials(url: URL): string {
  const copy = new URL(url);
  copy.username = '';
  copy.password = '';
  return copy.toString();
}

function statusMismatch(status: number, expected: number): string | undefined {
  return status === expected ? undefined : `status ${status}, expected ${expected}`;
}

function bodyMismatch(body: string, probe: HttpProbe): string | undefined {
  if (probe.expectText !== undefined && !body.includes(probe.expectText)) return `body does not contain ${JSON.stringify(probe.expectText)}`;
  if (probe.expectJson === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return `body is not JSON (starts with ${JSON.stringify(body.slice(0, 40))})`;
  }
  return jsonSubsetMismatch(probe.expectJson, parsed, '$');
}

/**
 * The first place where `actual` does not hold `expected`: objects match on the expected keys only,
 * arrays element by element with the same length, anything else by strict equality.
 */
export function jsonSubsetMismatch(expected: unknown, actual: unknown, path: string): string | undefined {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return `${path}: expected an array of ${expected.length}, got ${describe(actual)}`;
    for (let i = 0; i < expected.length; i++) {
      const mismatch = jsonSubsetMismatch(expected[i], actual[i], `${path}[${i}]`);
      if (mismatch) return mismatch;
    }
    return undefined;
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return `${path}: expected an object, got ${describe(actual)}`;
    for (const [key, value] of Object.entries(expected)) {
      const mismatch = jsonSubsetMismatch(value, (actual as Record<string, unknown>)[key], `${path}.${key}`);
      if (mismatch) return mismatch;
    }
    return undefined;
  }
  return expected === actual ? undefined : `${path}: expected ${JSON.stringify(expected)}, got ${describe(actual)}`;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
