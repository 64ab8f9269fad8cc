import { createHash } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { Client, type ClientChannel } from 'ssh2';
import { AuthError, PermanentError, TimeoutError, TransientError } from './errors';
import type { Secret } from './secret';

/** How to reach one host over SSH. The private key is a `Secret`: only `connect` unwraps it. */
export interface SshTarget {
  readonly host: string;
  /** @default 22 */
  readonly port?: number;
  readonly user: string;
  readonly privateKey: Secret;
  /**
   * Accepted host key fingerprints, as `ssh-keygen -l -E sha256` prints them (`SHA256:...`).
   * Required unless `insecureAcceptAnyHostKey` is set, as TLS verification is on by default.
   */
  readonly hostKeySha256?: readonly string[];
  readonly insecureAcceptAnyHostKey?: boolean;
  /** Bound of the TCP connect + handshake + authentication. @default 10000 */
  readonly connectTimeoutMs?: number;
  /**
   * The jump host this host is reached through (OpenSSH `ProxyJump`, one hop): a TCP channel opened on an
   * SSH connection to it carries this connection, end to end encrypted and authenticated with this
   * target's own key and host key check. @default direct
   */
  readonly via?: SshTarget;
}

export interface SshCommandResult {
  /** `null` when the command was killed by a signal. */
  readonly exitCode: number | null;
  readonly signal?: string;
  readonly stdout: string;
  readonly stderr: string;
}

const PROCESS_GROUP_LINE = /^pra-process-group (\d+)\n/;
/**
 * SSH_MSG_CHANNEL_OPEN_FAILURE reasons that mean "no session slot now": OpenSSH answers CONNECT_FAILED (2),
 * "open failed", once MaxSessions commands are open; others answer ADMINISTRATIVELY_PROHIBITED (1).
 */
const SESSIONS_FULL = new Set([1, 2]);

/** One authenticated SSH connection; each command is a channel of it, several may run at once. */
export class SshSession {
  private constructor(
    readonly system: string,
    private readonly client: Client,
  ) {}

  static async connect(target: SshTarget): Promise<SshSession> {
    if (!target.via) return SshSession.connectOver(target);
    const jump = await SshSession.connect(target.via);
    try {
      const session = await SshSession.connectOver(target, await jump.forwardOut(target.host, target.port ?? 22));
      session.onClose(() => jump.close());
      return session;
    } catch (error) {
      jump.close();
      throw error;
    }
  }

  /** Connects to `target` directly, or over `sock` (a channel opened through a jump host). */
  private static connectOver(target: SshTarget, sock?: Duplex): Promise<SshSession> {
    const system = `ssh ${target.user}@${target.host}:${target.port ?? 22}${target.via ? ` via ${target.via.host}:${target.via.port ?? 22}` : ''}`;
    if (!target.insecureAcceptAnyHostKey && !target.hostKeySha256?.length) {
      return Promise.reject(new PermanentError(system, 'no host key fingerprint configured; set hostKeySha256 (ssh-keygen -l -E sha256 -f the host key) or insecureAcceptAnyHostKey for this host only'));
    }
    let rejectedHostKey: string | undefined;
    return new Promise((resolve, reject) => {
      const client = new Client();
      client.once('ready', () => {
        // A command is a few small packets each way: with Nagle on, each waits out the peer's delayed ACK (40 ms).
        client.setNoDelay(true);
        resolve(new SshSession(system, client));
      });
      // `on`, not `once`: ssh2 may emit a second error (a dropped handshake, then the socket), and an
      // unheard 'error' event kills the engine mid-handover. After 'ready' this rejects nothing.
      client.on('error', (error: Error & { level?: string; code?: string }) => {
        client.end();
        reject(connectError(system, error, rejectedHostKey));
      });
      try {
        client.connect({
          host: target.host,
          port: target.port ?? 22,
          sock,
          username: target.user,
          privateKey: target.privateKey.reveal(),
          readyTimeout: target.connectTimeoutMs ?? 10000,
          // A pooled connection to a guest that vanished (no FIN) is noticed within 15 s and dropped.
          keepaliveInterval: 5000,
          keepaliveCountMax: 3,
          hostVerifier: (key: Buffer) => {
            const offered = `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
            if (target.insecureAcceptAnyHostKey === true || (target.hostKeySha256 ?? []).includes(offered)) return true;
            rejectedHostKey = offered;
            return false;
          },
        });
      } catch {
        // ssh2 throws synchronously on an unparsable key; its message is replaced so nothing of the key leaks.
        reject(new PermanentError(system, 'the private key cannot be parsed (unsupported format, or encrypted with a passphrase)'));
      }
    });
  }

  /**
   * Runs `command`, feeding `stdin` if given. A command still running after `timeoutMs` is killed with
   * its whole process group and reported as a `TimeoutError`. sshd ignores SSH signal requests and a
   * closed channel does not stop a non-tty command, so the command first reports its process group:
   * sshd starts each command's shell with setsid(), making that shell's pid the group id.
   */
  exec(command: string, options: { stdin?: string; timeoutMs?: number } = {}): Promise<SshCommandResult> {
    const timeoutMs = options.timeoutMs ?? 30000;
    return new Promise((resolve, reject) => {
      let channel: ClientChannel | undefined;
      let reopen: NodeJS.Timeout | undefined;
      let stderr = '';
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        clearTimeout(reopen);
        if (!channel) return reject(new TimeoutError(this.system, `no session opened within ${timeoutMs} ms (the guest's sshd MaxSessions stayed full)`));
        channel.close();
        const group = PROCESS_GROUP_LINE.exec(stderr)?.[1];
        const killed = group ? this.killGroup(group) : Promise.resolve();
        killed.finally(() => reject(new TimeoutError(this.system, `command did not finish within ${timeoutMs} ms${group ? ' (killed)' : ''}`)));
      }, timeoutMs);
      const cannotStart = (error: Error) => {
        clearTimeout(timer);
        reject(new TransientError(this.system, `cannot start a command: ${error.message}`));
      };
      const started = (opened: ClientChannel) => {
        channel = opened;
        let stdout = '';
        let exitCode: number | null = null;
        let signal: string | undefined;
        opened.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
        opened.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
        opened.on('exit', (code: number | null, signalName?: string) => {
          exitCode = code;
          signal = signalName ?? undefined;
        });
        opened.on('close', () => {
          clearTimeout(timer);
          if (timedOut) return; // the timeout reports it, once the kill went through
          resolve({ exitCode, signal, stdout, stderr: stderr.replace(PROCESS_GROUP_LINE, '') });
        });
        opened.end(options.stdin ?? '');
      };
      const open = (attempt: number) => {
        try {
          this.client.exec(`printf 'pra-process-group %s\\n' "$$" >&2; ${command}`, (error, opened) => {
            if (timedOut) return opened?.close();
            if (!error) return started(opened);
            // sshd's MaxSessions is full: sshd frees a slot once it has reaped a command that just ended.
            if (SESSIONS_FULL.has((error as Error & { reason?: number }).reason ?? 0)) {
              reopen = setTimeout(() => open(attempt + 1), Math.min(200, 5 * 2 ** attempt));
              return;
            }
            cannotStart(error);
          });
        } catch (error) {
          cannotStart(error as Error); // "Not connected": the connection dropped under us
        }
      };
      open(0);
    });
  }

  /** A TCP connection from this host to `host:port` (SSH direct-tcpip, what `ProxyJump` asks of a jump host). */
  private forwardOut(host: string, port: number): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      try {
        this.client.forwardOut('127.0.0.1', 0, host, port, (error, channel) => {
          if (error) reject(new TransientError(this.system, `the jump host cannot open a connection to ${host}:${port}: ${error.message}`));
          else resolve(channel);
        });
      } catch (error) {
        reject(new TransientError(this.system, `the jump host connection dropped: ${(error as Error).message}`));
      }
    });
  }

  /** Called once when the connection ends, whatever ended it. */
  onClose(listener: () => void): void {
    this.client.once('close', listener);
  }

  /** Best effort, bounded: the timeout is reported whether or not the kill gets through. */
  private killGroup(group: string): Promise<void> {
    return new Promise((done) => {
      const bound = setTimeout(done, 5000);
      try {
        this.client.exec(`kill -KILL -- -${group}`, (error, channel) => {
          if (error) return done();
          channel.on('close', () => {
            clearTimeout(bound);
            done();
          });
          channel.resume();
          channel.stderr.resume();
        });
      } catch {
        done(); // the connection is gone: nothing left to send the kill over
      }
    });
  }

  close(): void {
    this.client.end();
  }
}

/** Runs `use` on a session to `target`: a fresh one (`withSshSession`) or a pooled one (`SshPool.use`). */
export type SshSessions = <T>(target: SshTarget, use: (session: SshSession) => Promise<T>) => Promise<T>;

/** Runs `use` on a fresh session and always closes it. */
export const withSshSession: SshSessions = async (target, use) => {
  const session = await SshSession.connect(target);
  try {
    return await use(session);
  } finally {
    session.close();
  }
};

/** Quotes one argument for a POSIX shell. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function connectError(system: string, error: Error & { level?: string; code?: string }, rejectedHostKey: string | undefined): Error {
  if (rejectedHostKey) return new PermanentError(system, `host key ${rejectedHostKey} is not an accepted fingerprint; check the host (or update hostKeySha256)`);
  if (error.level === 'client-authentication') return new AuthError(system, 'public key refused by the server; check the user and that its authorized_keys holds this key');
  if (error.level === 'client-timeout') return new TimeoutError(system, 'no SSH handshake before the connect timeout');
  return new TransientError(system, `cannot connect (${error.code ?? error.level ?? 'error'})`);
}
