import { PermanentError } from '../../common/errors';
import { shellQuote, withSshSession, type SshSession, type SshTarget } from '../../common/ssh';
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
 * synced, renamed over the file), then reads it back with a separate command. The login user must be
 * allowed to write the file's directory (root, or the owner of /etc/pra): the guard trusts the file
 * only because jobs cannot write it.
 */
export class SshFilePublisher implements Publisher {
  readonly source = 'file' as const;
  constructor(private readonly guests: readonly SshGuest[]) {
    for (const guest of guests) {
      const path = guest.path ?? DEFAULT_ACTIVE_SITE_PATH;
      if (!path.startsWith('/') || /[\n\r]/.test(path)) throw new PermanentError(`publisher file ${guest.name}`, `path ${JSON.stringify(path)} must be an absolute path on one line`);
    }
  }

  publish(record: ActiveSiteRecord): Promise<GuestConfirmation[]> {
    const text = formatActiveSite(record);
    return confirmEach(this.guests, (g) => g.name, (guest) =>
      withSshSession(guest.ssh, async (session) => {
        await this.run(session, guest, writeScript(guest.path ?? DEFAULT_ACTIVE_SITE_PATH), text);
        return this.readBack(session, guest);
      }),
    );
  }

  read(): Promise<GuestConfirmation[]> {
    return confirmEach(this.guests, (g) => g.name, (guest) => withSshSession(guest.ssh, (session) => this.readBack(session, guest)));
  }

  private async readBack(session: SshSession, guest: SshGuest): Promise<GuestSees> {
    const path = guest.path ?? DEFAULT_ACTIVE_SITE_PATH;
    const text = await this.run(session, guest, `cat -- ${shellQuote(path)}`);
    try {
      return parseActiveSite(text);
    } catch (error) {
      throw new PermanentError(session.system, `${path} is not a valid active-site file: ${(error as Error).message}`);
    }
  }

  private async run(session: SshSession, guest: SshGuest, command: string, stdin?: string): Promise<string> {
    const result = await session.exec(command, { stdin, timeoutMs: guest.commandTimeoutMs ?? 15000 });
    if (result.exitCode !== 0) {
      throw new PermanentError(session.system, `remote command failed (exit ${result.exitCode ?? result.signal}): ${result.stderr.trim().split('\n')[0] ?? ''}`);
    }
    return result.stdout;
  }
}

/** The remote side of an atomic write: the new content arrives on stdin. */
function writeScript(path: string): string {
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
  ].join('; ');
}
