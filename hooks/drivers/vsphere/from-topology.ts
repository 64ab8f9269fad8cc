import type { Topology } from '../../../topology/schema';
import { VsphereClient } from './client';
import { vsphereConfigForSite } from './index';
import type { VsphereDeps } from './session';

/** One vSphere client per topology site (site name -> client), passwords read now from env or file. */
export function vcentersFromTopology(topology: Topology, env: NodeJS.ProcessEnv = process.env, deps: VsphereDeps = {}): Record<string, VsphereClient> {
  return Object.fromEntries(
    topology.sites.map((site) => [site.name, new VsphereClient(vsphereConfigForSite(site, env), deps)]),
  );
}
