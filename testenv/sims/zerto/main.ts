import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadTopology } from '../../../topology';
import { Control } from './control';
import { siteVcentersFromEnv, VcenterPower } from './vcenter-power';

/**
 * The Zerto API simulator daemon:
 *   node dist/testenv/sims/zerto/main.js --topology FILE --cert PEM --key PEM --control-port N
 *        [--site rbx=PORT ...] [--active-site sbg] [--sync-ms N] [--commit-ms N] [--reverse-protection-ms N]
 * Credentials come from the environment (never argv, which `ps` shows): ZERTO_SIM_USERNAME,
 * ZERTO_SIM_PASSWORD, ZERTO_SIM_CLIENT_ID, ZERTO_SIM_CLIENT_SECRET; so do the sites' vCenters
 * (PRA_TESTENV_VCENTER_<SITE>_URL and _DATACENTER, PRA_TESTENV_VCENTER_USER and _PASSWORD, PRA_TESTENV_CA):
 * with them, the default instance and those created with `vcenter: true` power VMs there for real.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      topology: { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      'control-port': { type: 'string' },
      site: { type: 'string', multiple: true, default: [] },
      'active-site': { type: 'string' },
      'sync-ms': { type: 'string', default: '300' },
      'commit-ms': { type: 'string', default: '200' },
      'reverse-protection-ms': { type: 'string', default: '400' },
    },
    strict: true,
  });
  const required = (name: 'topology' | 'cert' | 'key' | 'control-port'): string => {
    const v = values[name];
    if (!v) throw new Error(`--${name} is required`);
    return v;
  };
  const env = (name: string): string => {
    const v = process.env[name];
    if (!v) throw new Error(`environment variable ${name} is required`);
    return v;
  };
  const topology = loadTopology(required('topology'));
  const standby = topology.sites.find((s) => s.role === 'standby') ?? topology.sites[1];
  const ports = Object.fromEntries(values.site.map((s) => {
    const [name, port] = s.split('=');
    return [name, Number(port)];
  }));
  const vcenters = siteVcentersFromEnv(topology.sites.map((s) => s.name), process.env);
  const log = (line: string) => process.stdout.write(`zerto-sim: ${line}\n`);
  const control = new Control(
    {
      topology,
      activeSite: values['active-site'] ?? standby.name,
      credentials: { username: env('ZERTO_SIM_USERNAME'), password: env('ZERTO_SIM_PASSWORD'), clientId: env('ZERTO_SIM_CLIENT_ID'), clientSecret: env('ZERTO_SIM_CLIENT_SECRET') },
      timing: { sessionIdleMs: 30 * 60_000, accessTokenMs: 300_000, refreshTokenMs: 1_800_000 },
      delays: { syncMs: Number(values['sync-ms']), commitMs: Number(values['commit-ms']), reverseProtectionMs: Number(values['reverse-protection-ms']) },
    },
    { cert: readFileSync(required('cert')), key: readFileSync(required('key')) },
    vcenters && new VcenterPower(vcenters, log),
  );
  // The drill's instance keeps the seeds' peer names until the drill tells a recovered VM from the protected one
  // of the same name (docs/zerto.md, "The simulator"); instances created through the control endpoint recover
  // the documented way unless asked otherwise.
  const instance = await control.addInstance('default', ports, { vcenter: vcenters !== undefined, recoveredNames: 'peer' });
  await control.listen(Number(required('control-port')));
  log(`${JSON.stringify(instance.urls)}; control on 127.0.0.1:${values['control-port']}; vCenter power ${vcenters ? `on ${Object.keys(vcenters.sites).join(', ')}` : 'recorded only'}`);
}

main().catch((e: Error) => {
  process.stderr.write(`zerto-sim: ${e.message}\n`);
  process.exit(2);
});
