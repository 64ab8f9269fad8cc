import { resolveSecret } from '../common/secret';
import type { Site } from '../../../topology';
import type { VsphereConfig } from './session';

export { VsphereClient } from './client';
export type { VsphereConfig, VsphereDeps } from './session';
export type { PowerState, PowerChange, EnsureOffOptions } from './power';
export type { ExtraConfig } from './extra-config';
export type { PowerStateChange, WatchOptions } from './watcher';
export type { TaskWaitOptions } from './tasks';
export type { MoRef } from './soap';

/** The driver config of a topology site's vCenter; reads the password from its env var or file now. */
export function vsphereConfigForSite(site: Site, env: NodeJS.ProcessEnv = process.env): VsphereConfig {
  const { url, datacenter, username, password, insecure, caFile, requestTimeoutSeconds } = site.vcenter;
  return {
    url,
    datacenter,
    username,
    password: resolveSecret(password, `site ${site.name} vcenter password`, env),
    insecure,
    caFile,
    name: `vcenter ${site.name}`,
    requestTimeoutMs: requestTimeoutSeconds * 1000,
  };
}
