import { PermanentError } from '../../common/errors';
import { shellQuote, withSshSession, type SshSession, type SshSessions, type SshTarget } from '../../common/ssh';
import type { ActiveSiteRecord } from '../index';
import { confirmEach, formatActiveSite, parseActiveSite, type GuestConfirmation, type GuestSees, type Publisher } from './index';

export const DEFAULT_ACTIVE_SITE_PATH = '/etc/pra/active-site';

export interface SshGuest {
  /** The guest's name in confirmations (its VM name). */
  readonly name: string;
  readonly ssh: SshTarget;
  /** @default /etc/pra/active-site */
  readonly path?: string;
  /** Bound of each remote command. @default 15000 */
  readonly commandTimeoutMs?: number;
}

/**
 * Writes the active-site file on each guest over SSH, atomically (temp file in the same directory,
 * synced, renamed over the file), and reads back what the file then holds, in one command per guest.
 * The login user must be allowed to write the file's directory (root, or the owner of /etc/pra): the
 * guard trusts the file only because jobs cannot write it. `sessions` gives a fresh connection per use
 * unless the caller passes a pool's (`SshPool.use`), which the engine does.
 */
export class SshFilePublisher implements Publisher {
  readonly source = 'file' as const;
  constructor(
    private readonly guests: readonly SshGuest[],
    private readonly sessions: SshSessions = withSshSession,
    /** Guests written or read at once. @default FAN_OUT */
    private readonly fanOut?: number,
  ) {
    for (const guest of guests) {
      const path = pathOf(guest);
      if (!path.startsWith('/') || /[\n\r]/.test(path)) throw new PermanentError(`publisher file ${guest.name}`, `path ${JSON.stringify(path)} must be an absolute path on one line`);
    }
  }

  publish(record: ActiveSiteRecord): Promise<GuestConfirmation[]> {
    const text = formatActiveSite(record);
    return confirmEach(this.guests, (g) => g.name, (guest) => this.sessions(guest.ssh, (session) => this.sees(session, guest, atomicWriteScript(pathOf(guest)), text)), this.fanOut);
  }

  read(): Promise<GuestConfirmation[]> {
    return confirmEach(this.guests, (g) => g.name, (guest) => this.sessions(guest.ssh, (session) => this.sees(session, guest, `cat -- ${shellQuote(pathOf(guest))}`)), this.fanOut);
  }

  /** Runs `command`, which prints the file, and parses what the guest's file holds. */
  private async sees(session: SshSession, guest: SshGuest, command: string, stdin?: string): Promise<GuestSees> {
    const result = await session.exec(command, { stdin, timeoutMs: guest.commandTimeoutMs ?? 15000 });
    if (result.exitCode !== 0) {
      throw new PermanentError(session.system, `remote command failed (exit ${result.exitCode ?? result.signal}): ${result.stderr.trim().split('\n')[0] ?? ''}`);
    }
    try {
      return parseActiveSite(result.stdout);
    } catch (error) {
      throw new PermanentError(session.system, `${pathOf(guest)} is not a valid active-site file: ${(error as Error).message}`);
    }
  }
}

function pathOf(guest: SshGuest): string {
  return guest.path ?? DEFAULT_ACTIVE_SITE_PATH;
}

/** The remote side of an atomic write: the new content arrives on stdin, the file as written leaves on stdout. */
export function atomicWriteScript(path: string): string {
  return [
    'set -e',
    'umask 022',
    `f=${shellQuote(path)}`,
    'd=$(dirname -- "$f")',
    't="$f.tmp.$$"',
    'trap \'rm -f -- "$t"\' EXIT',
    'mkdir -p -- "$d"',
    'cat > "$t"',
    // Synced before and after the rename: a guest that crashes right after still holds the new epoch.
    'sync -- "$t" 2>/dev/null || sync',
    'mv -f -- "$t" "$f"',
    'sync -- "$d" 2>/dev/null || sync',
    'cat -- "$f"',
  ].join('; ');
}
