import { createHash } from 'node:crypto';
import { SshSession, type SshSessions, type SshTarget } from './ssh';

export interface SshPoolOptions {
  /**
   * Commands running at once over one connection. sshd refuses channels beyond its `MaxSessions`
   * (OpenSSH: 10), and a command's timeout kill needs one more. @default 8
   */
  readonly maxSessions?: number;
  /** A connection nobody used for this long is closed; the next use reconnects. @default 30000 */
  readonly idleMs?: number;
}

interface Connection {
  readonly session: Promise<SshSession>;
  active: number;
  readonly waiting: (() => void)[];
  idle?: NodeJS.Timeout;
  closed: boolean;
}

/**
 * One SSH connection per guest endpoint, kept open across a run's steps: the fence, the drain and the
 * grant pay the key exchange and authentication once per guest instead of once per command. Commands
 * run as channels of that connection, `maxSessions` at a time. A connection that closes, fails or stays
 * idle is dropped and the next use opens a new one, so a guest rebooted between two steps costs nothing.
 */
export class SshPool {
  private readonly connections = new Map<string, Connection>();
  private readonly maxSessions: number;
  private readonly idleMs: number;

  constructor(options: SshPoolOptions = {}) {
    this.maxSessions = options.maxSessions ?? 8;
    this.idleMs = options.idleMs ?? 30000;
  }

  /** Runs `use` on a pooled session to `target`. Same contract as `withSshSession`. */
  readonly use: SshSessions = async (target, use) => {
    const key = identity(target);
    const connection = this.connections.get(key) ?? this.open(key, target);
    await this.acquire(connection);
    let session: SshSession;
    try {
      session = await connection.session;
    } catch (error) {
      this.release(key, connection);
      throw error;
    }
    if (connection.closed) {
      // Dropped while this use waited for a channel: go again on a fresh connection.
      this.release(key, connection);
      return this.use(target, use);
    }
    try {
      return await use(session);
    } finally {
      this.release(key, connection);
    }
  };

  /** Closes every connection (the engine does at the end of a run). */
  close(): void {
    for (const [key, connection] of this.connections) this.drop(key, connection);
  }

  private open(key: string, target: SshTarget): Connection {
    const session = SshSession.connect(target);
    const connection: Connection = { session, active: 0, waiting: [], closed: false };
    this.connections.set(key, connection);
    session.then(
      (opened) => opened.onClose(() => this.drop(key, connection)),
      () => this.drop(key, connection), // the use that waited on it reports the error
    );
    return connection;
  }

  private async acquire(connection: Connection): Promise<void> {
    clearTimeout(connection.idle);
    if (connection.active < this.maxSessions) {
      connection.active++;
      return;
    }
    await new Promise<void>((resume) => connection.waiting.push(resume)); // the releasing use hands its slot over
  }

  private release(key: string, connection: Connection): void {
    const next = connection.waiting.shift();
    if (next) return next();
    if (--connection.active > 0 || connection.closed) return;
    connection.idle = setTimeout(() => this.drop(key, connection), this.idleMs);
    connection.idle.unref();
  }

  private drop(key: string, connection: Connection): void {
    if (connection.closed) return;
    connection.closed = true;
    clearTimeout(connection.idle);
    if (this.connections.get(key) === connection) this.connections.delete(key);
    connection.session.then((session) => session.close(), () => undefined);
  }
}

/** Two targets share a connection only if they would authenticate the same way to the same endpoint. */
function identity(target: SshTarget): string {
  return createHash('sha256').update(JSON.stringify(parts(target))).digest('hex');
}

function parts(target: SshTarget): unknown[] {
  const own = [target.user, target.host, target.port ?? 22, target.privateKey.reveal(), target.hostKeySha256 ?? [], target.insecureAcceptAnyHostKey === true];
  return target.via ? [...own, parts(target.via)] : own;
}
