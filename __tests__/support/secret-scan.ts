import { inspect } from 'node:util';

/**
 * Every rendering of a value a secret could leak through: message, stack, JSON, util.inspect (what a
 * logger or an uncaught error prints), for the value and anything nested in it.
 */
function renderings(value: unknown): string[] {
  const out = [inspect(value, { depth: 8, showHidden: true })];
  try {
    out.push(JSON.stringify(value) ?? '');
  } catch {
    /* circular: inspect covers it */
  }
  if (value instanceof Error || (typeof value === 'object' && value !== null && 'stack' in value)) {
    out.push(String((value as Error).message), String((value as Error).stack));
  }
  return out;
}

/**
 * Pieces of a secret worth looking for: the whole value, its base64 and hex forms, and for multi-line
 * secrets (keys) each long line.
 */
function needles(secret: string): string[] {
  const lines = secret.split('\n').map((line) => line.trim()).filter((line) => line.length >= 16 && !line.startsWith('-----'));
  const whole = secret.trim();
  return [whole, Buffer.from(whole).toString('base64'), Buffer.from(whole).toString('hex'), ...lines].filter((n) => n.length >= 8);
}

/** Collects everything a driver let out (log lines, errors in every rendering, values) for a later scan. */
export class Exposure {
  readonly lines: string[] = [];
  readonly log = (line: string): void => {
    this.lines.push(line);
  };

  addError(error: unknown): void {
    this.lines.push(...renderings(error), String((error as { detail?: string }).detail ?? ''));
  }

  add(value: unknown): void {
    this.lines.push(...(typeof value === 'string' ? [value] : renderings(value)));
  }

  /** The secrets found in anything recorded. */
  leaked(secrets: readonly string[]): string[] {
    const text = this.lines.join('\n');
    return secrets.filter((s) => needles(s).some((n) => text.includes(n)));
  }
}

/** Fails naming which secret leaked into which value (never printing the secret itself). */
export function expectNoSecrets(secrets: Record<string, string>, values: Record<string, unknown>): void {
  const leaks: string[] = [];
  for (const [valueName, value] of Object.entries(values)) {
    const text = renderings(value).join('\n');
    for (const [secretName, secret] of Object.entries(secrets)) {
      if (needles(secret).some((needle) => text.includes(needle))) leaks.push(`${secretName} appears in ${valueName}`);
    }
  }
  if (leaks.length) throw new Error(`secret leak: ${leaks.join('; ')}`);
}

/** Runs `fn` while capturing everything written to stdout, stderr and the console. */
export async function captureOutput<T>(fn: () => Promise<T>): Promise<{ result: T; output: string }> {
  let output = '';
  const restore: Array<() => void> = [];
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array) => {
      output += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      return true;
    }) as typeof stream.write;
    restore.push(() => (stream.write = write));
  }
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[method];
    console[method] = (...args: unknown[]) => {
      output += args.map((a) => inspect(a)).join(' ') + '\n';
    };
    restore.push(() => (console[method] = original));
  }
  try {
    return { result: await fn(), output };
  } finally {
    for (const undo of restore) undo();
  }
}
