/**
 * The guestinfo keys the engine writes on every VM through vCenter at a handover; the guard reads them in the
 * guest (`vmware-rpctool "info-get guestinfo.pra.active_site"`). Terraform never declares them (H8): a plan
 * would revert the engine's decision, and the provider would reboot the VM on a change.
 */
export const GUESTINFO_ACTIVE_SITE = 'guestinfo.pra.active_site';
export const GUESTINFO_EPOCH = 'guestinfo.pra.epoch';
