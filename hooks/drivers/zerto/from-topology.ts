import type { Site, Topology } from '../../../topology/schema';
import { ZertoClient, type ZertoDeps } from './client';
import { zertoEndpointOf } from './config';
import { ZertoDriver } from './driver';

/** The Zerto driver of `site`'s ZVM, its password read now from env or file. Nothing connects until the first call. */
export function zertoDriverForSite(site: Site, env: NodeJS.ProcessEnv = process.env, deps: ZertoDeps = {}): ZertoDriver {
  return new ZertoDriver(new ZertoClient(site.name, zertoEndpointOf(site, env), deps));
}

/** One Zerto driver per topology site (site name -> driver). */
export function zertoFromTopology(topology: Topology, env: NodeJS.ProcessEnv = process.env, deps: ZertoDeps = {}): Record<string, ZertoDriver> {
  return Object.fromEntries(topology.sites.map((site) => [site.name, zertoDriverForSite(site, env, deps)]));
}
