import {
  Etcd3,
  type ComparatorBuilder,
  EtcdAuthenticationFailedError,
  EtcdInvalidAuthTokenError,
  EtcdPermissionDeniedError,
  GRPCDeadlineExceededError,
  GRPCUnavailableError,
  type IKeyValue,
} from 'etcd3';
import { AuthError, DriverError, PermanentError, TimeoutError, TransientError } from './errors';

export interface EtcdEndpoints {
  readonly endpoints: readonly string[];
  /** Bound of one call (connect included). @default 3000 */
  readonly callTimeoutMs?: number;
}

/** An etcd v3 client whose every unary call is bounded, so "etcd down" surfaces as an error, never a hang. */
export function createEtcdClient(config: EtcdEndpoints): Etcd3 {
  const timeoutMs = config.callTimeoutMs ?? 3000;
  return new Etcd3({
    hosts: [...config.endpoints],
    dialTimeout: timeoutMs,
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + timeoutMs }),
  });
}

/** Maps etcd3/gRPC failures to our typed errors; the message names the endpoints, never credentials. */
export function etcdError(system: string, operation: string, error: unknown): Error {
  if (error instanceof DriverError) return error;
  const e = error as Error;
  if (e instanceof GRPCDeadlineExceededError) return new TimeoutError(system, `${operation}: no answer before the deadline`);
  // cockatiel's open circuit breaker (etcd3's per-host policy) means the host failed just before.
  if (e instanceof GRPCUnavailableError || e?.constructor?.name === 'BrokenCircuitError') return new TransientError(system, `${operation}: etcd unreachable (${e.constructor.name})`);
  if (e instanceof EtcdAuthenticationFailedError || e instanceof EtcdInvalidAuthTokenError || e instanceof EtcdPermissionDeniedError) {
    return new AuthError(system, `${operation}: refused by etcd (${e.constructor.name})`);
  }
  return new PermanentError(system, `${operation}: ${e?.constructor?.name ?? 'error'}: ${e?.message ?? String(error)}`);
}

/** The one key-value of a single-key range response, if present. */
export function singleKv(kvs: readonly IKeyValue[] | undefined): IKeyValue | undefined {
  return kvs && kvs.length > 0 ? kvs[0] : undefined;
}

/**
 * A transaction on `key` that commits only if the key is as last read: still at `modRevision`, or,
 * when it was absent (`undefined`), still never created. Chain `.then(...)` / `.else(...)` and commit.
 */
export function ifUnchanged(client: Etcd3, key: string, modRevision: string | undefined): ComparatorBuilder {
  return modRevision === undefined ? client.if(key, 'Create', '==', 0) : client.if(key, 'Mod', '==', modRevision);
}
