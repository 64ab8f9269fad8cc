import type { PolicyRule } from '../rule';
import { noRebootOnExtraConfig } from './no-reboot-on-extra-config';
import { outOfBandKeysNotDeclared } from './out-of-band-keys';
import { pauseOnlyOnFailbackTarget } from './pause-only-on-failback-target';
import { protectedVmHasPeer } from './protected-vm-has-peer';
import { protectedVmInVpg } from './protected-vm-in-vpg';
import { recordFollowsActiveSite } from './record-follows-active-site';
import { recordSitesExist } from './record-sites-exist';
import { stackDeclaresFailbackVariables } from './stack-declares-failback-variables';
import { vpgMembersExist } from './vpg-members-exist';
import { vpgSitesExist } from './vpg-sites-exist';

/** The pra-failback rule pack, in id order (docs/infrastructure.md lists the same table). */
export const praRules: readonly PolicyRule[] = [
  outOfBandKeysNotDeclared,
  noRebootOnExtraConfig,
  pauseOnlyOnFailbackTarget,
  protectedVmHasPeer,
  protectedVmInVpg,
  vpgMembersExist,
  vpgSitesExist,
  recordSitesExist,
  recordFollowsActiveSite,
  stackDeclaresFailbackVariables,
];
