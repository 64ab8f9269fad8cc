import { HttpClient } from '../../hooks/drivers/common/http';
import type { Env } from '../core';
import type { SimulatedVm } from './inventory';

/**
 * Creates VMs in a running site simulator (idempotent: existing names are left as they are) and
 * returns the names it created. For the drill and the benchmarks, which need 50-200 VMs per site.
 * The simulator creates them through its own SOAP API, so they are ordinary vCenter VMs.
 */
export async function provisionVms(env: Env, site: string, vms: readonly SimulatedVm[]): Promise<string[]> {
  const url = env[`PRA_TESTENV_VCENTER_${site.toUpperCase()}_CONTROL_URL`];
  if (!url) throw new Error(`testenv: no vCenter simulator for site ${site}; is testenv up (service vcenter)?`);
  const http = new HttpClient(`vcsim ${site}`, url, { caFile: env.PRA_TESTENV_CA });
  try {
    const basic = Buffer.from(`${env.PRA_TESTENV_VCENTER_USER}:${env.PRA_TESTENV_VCENTER_PASSWORD}`).toString('base64');
    const res = await http.send({
      method: 'POST',
      url,
      headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ vms }),
      timeoutMs: 120000,
    });
    return (JSON.parse(res.body) as { created: string[] }).created;
  } finally {
    http.close();
  }
}
