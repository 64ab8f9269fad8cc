import { inspect } from 'node:util';

/**
 * Minimal secret scan for driver tests: collects everything a driver let out (log lines, errors as
 * message, JSON and inspect forms) and lists which of the given secrets appear in it.
 */
export class Exposure {
  readonly lines: string[] = [];
  readonly log = (line: string): void => {
    this.lines.push(line);
  };

  /** Records an error in every form an operator or a journal could see it. */
  addError(error: unknown): void {
    const e = error as Error & { detail?: string };
    this.lines.push(String(e.message), String(e.detail ?? ''), JSON.stringify(e), inspect(e, { depth: 5 }), String(e.stack));
  }

  add(value: unknown): void {
    this.lines.push(typeof value === 'string' ? value : `${JSON.stringify(value)}\n${inspect(value, { depth: 5 })}`);
  }

  /** The secrets (and their hex/base64 forms) found in anything recorded. */
  leaked(secrets: readonly string[]): string[] {
    const text = this.lines.join('\n');
    return secrets.filter((s) => {
      const forms = [s, Buffer.from(s).toString('base64'), Buffer.from(s).toString('hex')];
      return forms.some((f) => f.length >= 8 && text.includes(f));
    });
  }
}
