import { HttpClient } from '../../hooks/drivers/common/http';
import type { SimulatedVm, VcsimPlacement } from './inventory';

/** The testenv's environment (or the Zerto daemon's): each site's control URL, the vcsim credentials and CA. */
export type VcsimAccess = Readonly<Record<string, string | undefined>>;

/** One call on a site simulator's control endpoint `/pra/vms`, answering `{[key]: names}`. */
async function control(env: VcsimAccess, site: string, method: 'POST' | 'DELETE', request: { vms: readonly Pick<SimulatedVm, 'name'>[] } & Partial<VcsimPlacement>, key: string): Promise<string[]> {
  const url = env[`PRA_TESTENV_VCENTER_${site.toUpperCase()}_CONTROL_URL`];
  if (!url) throw new Error(`testenv: no vCenter simulator for site ${site}; is testenv up (service vcenter)?`);
  const http = new HttpClient(`vcsim ${site}`, url, { caFile: env.PRA_TESTENV_CA });
  try {
    const basic = Buffer.from(`${env.PRA_TESTENV_VCENTER_USER}:${env.PRA_TESTENV_VCENTER_PASSWORD}`).toString('base64');
    const body = JSON.stringify(request);
    // Node sends a DELETE body neither chunked nor sized unless told its length.
    const res = await http.send({
      method,
      url,
      headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) },
      body,
      timeoutMs: 120000,
    });
    return (JSON.parse(res.body) as Record<string, string[]>)[key];
  } finally {
    http.close();
  }
}

/**
 * Creates VMs in a running site simulator (idempotent: existing names are left as they are) and
 * returns the names it created. For the drill and the benchmarks, which need 50-200 VMs per site.
 * The simulator creates them through its own SOAP API, so they are ordinary vCenter VMs: in the default
 * datacenter, or in `placement`'s (created with its cluster, datastore and network when missing).
 */
export function provisionVms(env: VcsimAccess, site: string, vms: readonly SimulatedVm[], placement?: VcsimPlacement): Promise<string[]> {
  return control(env, site, 'POST', { ...placement, vms }, 'created');
}

/**
 * Destroys the named VMs that exist in a site simulator (powered off first), in the default datacenter or in
 * `datacenter`, and returns the names it removed.
 */
export function removeVms(env: VcsimAccess, site: string, names: readonly string[], datacenter?: string): Promise<string[]> {
  return control(env, site, 'DELETE', { datacenter, vms: names.map((name) => ({ name })) }, 'removed');
}
