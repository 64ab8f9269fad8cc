/**
 * Typed driver errors. The retry helper decides from the class, never from message text.
 * Messages never carry secrets: drivers build them from endpoints, names and status codes only.
 */
export class DriverError extends Error {
  constructor(
    /** The external system, e.g. `zerto`, `vcenter rbx`, `dns ovh`. */
    readonly system: string,
    message: string,
    readonly detail?: string,
  ) {
    super(`${system}: ${message}`);
    this.name = new.target.name;
  }
}

/** Worth retrying: network errors, 5xx, 429, busy resources. */
export class TransientError extends DriverError {}
/** Credentials refused or session expired: re-login once, then surface. */
export class AuthError extends DriverError {}
/** The named object does not exist. */
export class NotFoundError extends DriverError {}
/** Anything else: surfaced at once. */
export class PermanentError extends DriverError {}
/** An operation or a wait ran past its bound. Retryable by default (the peer may just be slow). */
export class TimeoutError extends TransientError {}

/** The message of an error, or the thrown value as text. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The thrown value as an Error, keeping its own fields (`code`, ...). Checks the shape, not
 * `instanceof`: errors created in another realm (a vm context, jest's sandbox) fail `instanceof Error`.
 */
export function toError(value: unknown): Error {
  if (typeof value === 'object' && value !== null && typeof (value as Error).message === 'string') return value as Error;
  return new Error(String(value));
}
