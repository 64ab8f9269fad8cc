import { gzipSync } from 'node:zlib';
import { GUESTINFO_ACTIVE_SITE, GUESTINFO_EPOCH } from '../topology/guestinfo';

/**
 * The extra_config keys pra-failback declares on every protected VM. Keys under `guestinfo.` are readable
 * inside the guest (vmware-rpctool); the `pra.failback.*` ones are read by the engine through vCenter.
 */
export const ExtraConfigKey = {
  failbackEnabled: 'pra.failback.enabled',
  failbackSite: 'pra.failback.site',
  startupMode: 'pra.failback.startup_mode',
  site: 'guestinfo.pra.site',
  guardSources: 'guestinfo.pra.guard.sources',
  guardEtcdEndpoints: 'guestinfo.pra.guard.etcd_endpoints',
  guardEtcdKey: 'guestinfo.pra.guard.etcd_key',
  guardDeniedExitCode: 'guestinfo.pra.guard.denied_exit_code',
  guardReplayPolicy: 'guestinfo.pra.guard.replay_policy',
  metadata: 'guestinfo.metadata',
  metadataEncoding: 'guestinfo.metadata.encoding',
  userData: 'guestinfo.userdata',
  userDataEncoding: 'guestinfo.userdata.encoding',
} as const;

/**
 * Keys the engine writes through vCenter during a handover. Terraform must never declare them: a plan would
 * revert the engine's decision, and (H8) the reconfigure would power a suspended VM on.
 */
export const OUT_OF_BAND_KEYS: readonly string[] = [GUESTINFO_ACTIVE_SITE, GUESTINFO_EPOCH];

/** Keys owned by ProtectedVm: a caller's additional extra_config may not override them. */
export const MANAGED_KEYS: readonly string[] = Object.values(ExtraConfigKey);

/**
 * cloud-init's VMware datasource accepts `gzip+base64`; gzip keeps large user data under vmx size limits.
 * Callers that encode the same text for many VMs keep the result (ProtectedVm does, per distinct text).
 */
export function gzipBase64(text: string): string {
  return gzipSync(Buffer.from(text, 'utf8'), { level: 9 }).toString('base64');
}
