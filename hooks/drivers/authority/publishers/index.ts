import { boundedAll, FAN_OUT } from '../../common/concurrency';
import { toError } from '../../common/errors';
import { SITE_OR_NONE, type ActiveSiteRecord } from '../index';

/**
 * What a guest reads from one source, and the text format shared by the file `/etc/pra/active-site`
 * and the etcd key (the guard parses it in POSIX sh):
 *   active=<site|none>
 *   epoch=<n>
 *   by=<who>
 *   at=<ISO 8601>
 */
export interface GuestSees {
  readonly active: string;
  readonly epoch: number;
}

/** One guest's confirmation after a publish or a read: what it sees, or why we could not tell. */
export type GuestConfirmation = { readonly guest: string; readonly sees: GuestSees } | { readonly guest: string; readonly error: Error };

/** Pushes a decision to one kind of guest source and reads back what each guest sees there. */
export interface Publisher {
  readonly source: 'guestinfo' | 'file' | 'etcd';
  /** Writes `record` to every guest, then reads each back. Never throws for one guest's failure. */
  publish(record: ActiveSiteRecord): Promise<GuestConfirmation[]>;
  /** Reads what every guest sees now. */
  read(): Promise<GuestConfirmation[]>;
  /** Releases the connections the publisher owns (the etcd client); the vCenter clients stay the caller's. */
  close?(): Promise<void>;
}

export function formatActiveSite(record: ActiveSiteRecord): string {
  // One value per line: a newline inside `by` would forge a line the guard parses.
  const oneLine = (value: string) => value.replace(/[\r\n]+/g, ' ');
  return `active=${record.active}\nepoch=${record.epoch}\nby=${oneLine(record.by)}\nat=${oneLine(record.at)}\n`;
}

/** Parses the text format; anything without a valid `active` and `epoch` is an error (the guard denies it too). */
export function parseActiveSite(text: string): GuestSees {
  const fields = new Map(
    text
      .split('\n')
      .map((line) => /^([a-z]+)=(.*)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], m[2]] as const),
  );
  return toGuestSees(fields.get('active'), fields.get('epoch'));
}

/** Validates what a source holds; anything but a site (or none) and a positive epoch is an error. */
export function toGuestSees(active: string | undefined, epoch: string | undefined): GuestSees {
  if (active === undefined || !SITE_OR_NONE.test(active)) throw new Error(`no valid active site (got ${JSON.stringify(active ?? null)})`);
  if (epoch === undefined || !/^[1-9]\d{0,15}$/.test(epoch)) throw new Error(`no valid epoch (got ${JSON.stringify(epoch ?? null)})`);
  return { active, epoch: Number(epoch) };
}

/** Runs `confirm` for every guest, a bounded number at a time, turning each guest's failure into its confirmation. */
export function confirmEach<G>(guests: readonly G[], name: (guest: G) => string, confirm: (guest: G) => Promise<GuestSees>, fanOut = FAN_OUT): Promise<GuestConfirmation[]> {
  return boundedAll(guests, fanOut, async (guest): Promise<GuestConfirmation> => {
    try {
      return { guest: name(guest), sees: await confirm(guest) };
    } catch (error) {
      return { guest: name(guest), error: toError(error) };
    }
  });
}
