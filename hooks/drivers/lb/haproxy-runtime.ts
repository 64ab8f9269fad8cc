import { connect, type Socket } from 'node:net';
import { AuthError, NotFoundError, PermanentError, TimeoutError, TransientError } from '../common/errors';

/**
 * The HAProxy runtime API (the `stats socket ... level admin`), one command per connection: HAProxy
 * answers and closes the connection in non-interactive mode, so the whole reply is what arrives before
 * the close. `address` is a unix socket path or `host:port`.
 */
export class HaproxyRuntimeApi {
  readonly system: string;
  constructor(
    readonly address: string,
    private readonly timeoutMs = 5000,
  ) {
    this.system = `lb haproxy ${address}`;
  }

  /** Sends one command and returns HAProxy's reply text (trimmed). */
  execute(command: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = this.open();
      const chunks: Buffer[] = [];
      socket.setTimeout(this.timeoutMs, () => socket.destroy(new TimeoutError(this.system, `"${command}" got no complete reply within ${this.timeoutMs} ms`)));
      socket.once('connect', () => socket.end(`${command}\n`));
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.once('error', (error: NodeJS.ErrnoException) =>
        reject(error instanceof TimeoutError ? error : new TransientError(this.system, `cannot reach the runtime API (${error.code ?? error.message})`)),
      );
      socket.once('close', (hadError) => {
        if (!hadError) resolve(Buffer.concat(chunks).toString('utf8').trim());
      });
    });
  }

  /**
   * Runs a command that prints nothing on success (`set server ...`); any text is HAProxy's refusal,
   * turned into a typed error.
   */
  async command(command: string): Promise<void> {
    const reply = await this.execute(command);
    if (reply !== '') throw this.refusal(command, reply);
  }

  refusal(command: string, reply: string): Error {
    const what = `"${command}" refused: ${reply.split('\n')[0]}`;
    if (/^(No such (server|backend)|Can't find backend)/i.test(reply)) return new NotFoundError(this.system, what);
    if (/Permission denied/i.test(reply)) return new AuthError(this.system, `${what}; the socket needs "level admin"`);
    return new PermanentError(this.system, what);
  }

  private open(): Socket {
    const hostPort = /^(.+):(\d+)$/.exec(this.address);
    return hostPort && !this.address.includes('/') ? connect({ host: hostPort[1], port: Number(hostPort[2]) }) : connect({ path: this.address });
  }
}

/**
 * Parses `show servers state [BACKEND]`: a format version line, a `# col col ...` header, then one
 * row per server. Columns are looked up by header name, never by position, so a version that adds a
 * column does not shift what we read.
 */
export function parseServersState(system: string, text: string): Array<Record<string, string>> {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const headerLine = lines.find((line) => line.startsWith('# '));
  if (!headerLine) throw new PermanentError(system, `unexpected "show servers state" output (no header line): ${lines[0] ?? '(empty)'}`);
  const header = headerLine.slice(2).trim().split(/\s+/);
  return lines
    .filter((line) => !line.startsWith('#') && /\s/.test(line.trim()))
    .map((line) => {
      const fields = line.trim().split(/\s+/);
      return Object.fromEntries(header.map((name, i) => [name, fields[i] ?? '']));
    });
}
