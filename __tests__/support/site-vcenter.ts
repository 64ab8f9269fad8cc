import { Secret } from '../../hooks/drivers/common/secret';
import { VsphereClient, type PowerState, type VsphereDeps } from '../../hooks/drivers/vsphere';
import { testenv } from './testenv';

/** A vSphere client on the testenv's vcsim of `site` (`deps`: a log to scan, ...). */
export function siteVcenter(site: 'rbx' | 'sbg', deps?: VsphereDeps): VsphereClient {
  const prefix = `VCENTER_${site.toUpperCase()}`;
  return new VsphereClient(
    { url: testenv(`${prefix}_URL`), datacenter: testenv(`${prefix}_DATACENTER`), username: testenv('VCENTER_USER'), password: new Secret(testenv('VCENTER_PASSWORD')), caFile: testenv('CA') },
    deps,
  );
}

/** Puts shared VMs back in the power states a test file found them in. */
export async function restorePower(vcenter: VsphereClient, initial: ReadonlyMap<string, PowerState>): Promise<void> {
  for (const [vm, state] of initial) {
    if (state === 'poweredOn') await vcenter.ensureRunning(vm);
    else await vcenter.ensureOff(vm, { guestShutdownTimeoutMs: 0 });
    if (state === 'suspended') await vcenter.ensureSuspended(vm);
  }
}
