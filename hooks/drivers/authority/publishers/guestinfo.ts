import { NotFoundError, PermanentError } from '../../common/errors';
import { GUESTINFO_ACTIVE_SITE, GUESTINFO_EPOCH } from '../../../../topology/guestinfo';
import type { ActiveSiteRecord } from '../index';
import { confirmEach, toGuestSees, type GuestConfirmation, type GuestSees, type Publisher } from './index';

/**
 * What the guestinfo publisher needs from a vCenter: a VM's extraConfig, read and written by VM name.
 * The vSphere driver (`VsphereClient.readExtraConfig` / `writeExtraConfig`) satisfies it.
 */
export interface ExtraConfigAccess {
  readExtraConfig(vm: string): Promise<Readonly<Record<string, string>>>;
  writeExtraConfig(vm: string, entries: Readonly<Record<string, string>>): Promise<void>;
}

export interface GuestinfoGuest {
  /** The VM's name in its site's vCenter. */
  readonly vm: string;
  /**
   * The name of the VM that runs this guest once Zerto has recovered it at this site from its peer: Zerto names a
   * recovered VM after the protected VM (H12, docs/zerto.md), and the VM of the guest's own name stays off (or a
   * Move removed it). When a VM of this name exists at the site, the decision is written to it too and read back
   * from it. @default none (the seeds' naming: the guest's own VM is the recovered one)
   */
  readonly recoveredAs?: string;
  /** The vCenter of the VM's site: RBX guests through the RBX vCenter, SBG guests through SBG's. */
  readonly vcenter: ExtraConfigAccess;
}

/**
 * Publishes the decision as the VM's `guestinfo.pra.active_site` and `guestinfo.pra.epoch`, which the
 * guard reads in the guest with `vmware-rpctool "info-get guestinfo.pra.active_site"`; reads them back
 * from vCenter. Both keys go in one reconfigure so a guest never sees a new site with an old epoch.
 * They are never declared in Terraform (H8): the provider would reboot the VM on a change.
 */
export class GuestinfoPublisher implements Publisher {
  readonly source = 'guestinfo' as const;
  constructor(
    private readonly guests: readonly GuestinfoGuest[],
    /** VMs written or read at once. @default FAN_OUT */
    private readonly fanOut?: number,
  ) {}

  publish(record: ActiveSiteRecord): Promise<GuestConfirmation[]> {
    const keys = { [GUESTINFO_ACTIVE_SITE]: record.active, [GUESTINFO_EPOCH]: String(record.epoch) };
    return confirmEach(this.guests, (g) => g.vm, async (guest) => {
      // Every VM of the guest's names that exists; one that does not is the read-back's to report.
      await Promise.all(vmNames(guest).map((vm) => guest.vcenter.writeExtraConfig(vm, keys).catch(unlessNotFound)));
      return this.readBack(guest);
    }, this.fanOut);
  }

  read(): Promise<GuestConfirmation[]> {
    return confirmEach(this.guests, (g) => g.vm, (guest) => this.readBack(guest), this.fanOut);
  }

  /** What the VM running the guest holds: the recovered VM when it exists, else the guest's own. */
  private async readBack(guest: GuestinfoGuest): Promise<GuestSees> {
    const recovered = guest.recoveredAs === undefined ? undefined : await guest.vcenter.readExtraConfig(guest.recoveredAs).catch(unlessNotFound);
    const config = recovered ?? (await guest.vcenter.readExtraConfig(guest.vm));
    try {
      return toGuestSees(config[GUESTINFO_ACTIVE_SITE], config[GUESTINFO_EPOCH]);
    } catch (error) {
      throw new PermanentError(`publisher guestinfo ${guest.vm}`, `${GUESTINFO_ACTIVE_SITE} / ${GUESTINFO_EPOCH}: ${(error as Error).message}`);
    }
  }
}

/** The recovered VM's name first: it runs the guest when it exists. */
const vmNames = (guest: GuestinfoGuest) => (guest.recoveredAs === undefined ? [guest.vm] : [guest.recoveredAs, guest.vm]);

function unlessNotFound(error: unknown): undefined {
  if (error instanceof NotFoundError) return undefined;
  throw error;
}
