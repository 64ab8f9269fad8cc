import { inspect } from 'node:util';
import type { Logger } from '../../hooks/drivers/common/log';

/**
 * Collects everything a driver shows the outside world during a suite (log lines, and each error's
 * message, detail, stack, inspection and JSON form) so one test can assert that no secret ever appears.
 * Use one per test file: pass `scan.logger` to drivers, wrap awaited calls that may reject in
 * `scan.rejection(...)`, record CLI output with `scan.text(...)`, and end the file with a test on `leaks`.
 */
export class SecretScan {
  private readonly seen: string[] = [];

  readonly logger: Logger = {
    debug: (line) => this.seen.push(line),
    info: (line) => this.seen.push(line),
    warn: (line) => this.seen.push(line),
  };

  /** How many lines and error forms were collected (a scan that saw nothing proves nothing). */
  get size(): number {
    return this.seen.length;
  }

  text(text: string): void {
    this.seen.push(text);
  }

  error(error: unknown): void {
    const e = error as Error & { detail?: unknown };
    this.seen.push(String(error), inspect(error, { depth: 6 }), JSON.stringify(error) ?? '', e?.stack ?? '', String(e?.detail ?? ''));
  }

  /** Awaits `promise`, recording its rejection before passing it on (use inside `expect(...).rejects`). */
  async rejection<T>(promise: Promise<T>): Promise<T> {
    try {
      return await promise;
    } catch (e) {
      this.error(e);
      throw e;
    }
  }

  /** Where any of `secrets` appears, the secret itself masked; empty when clean. */
  leaks(secrets: readonly string[]): string[] {
    const real = secrets.filter((s) => s.length >= 4);
    if (real.length !== secrets.length) throw new Error('secret-scan: a test secret shorter than 4 characters would match by chance; use longer ones');
    return this.seen.flatMap((line) => real.filter((s) => line.includes(s)).map((s, i) => `secret #${i} in: ${line.split(s).join('***').slice(0, 200)}`));
  }
}
