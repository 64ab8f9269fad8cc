import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';

/**
 * A credential. Printing, logging or serialising it yields `***`; only code that signs or sends
 * a request calls `reveal()`.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '***';
  }
  toJSON(): string {
    return '***';
  }
  [inspect.custom](): string {
    return 'Secret(***)';
  }
}

/** Where a secret comes from: an environment variable or a file (first line, trimmed; or the whole file). */
export interface SecretRef {
  readonly env?: string;
  readonly file?: string;
}

export class SecretUnavailableError extends Error {}

/**
 * Reads a secret now. A file gives its first line, trimmed (a password, a token), or with `wholeFile`
 * its whole content (a private key).
 */
export function resolveSecret(ref: SecretRef, what: string, env: NodeJS.ProcessEnv = process.env, options: { readonly wholeFile?: boolean } = {}): Secret {
  if (ref.env !== undefined) {
    const value = env[ref.env];
    if (value === undefined || value === '') {
      throw new SecretUnavailableError(`${what}: environment variable ${ref.env} is not set; export it before running pra`);
    }
    return new Secret(value);
  }
  if (ref.file !== undefined) {
    let text: string;
    try {
      text = readFileSync(ref.file, 'utf8');
    } catch (e) {
      throw new SecretUnavailableError(`${what}: cannot read secret file ${ref.file} (${(e as NodeJS.ErrnoException).code}); create it or fix the path`);
    }
    return new Secret(options.wholeFile ? text : text.split('\n')[0].trim());
  }
  throw new SecretUnavailableError(`${what}: no secret source; set { env: NAME } or { file: PATH }`);
}
