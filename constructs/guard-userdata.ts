import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SITE_NAME, type Topology } from '../topology/schema';

/**
 * The cloud-init fragment that installs the in-guest cron guard (guard/install/cloud-init.yaml, filled in at
 * synth time with the script from guard/pra-guard). The protected-VM construct puts it in the VM's userdata.
 */

/** guard/ of this checkout, from the sources (constructs/) or the compiled tree (dist/constructs/). */
export function guardDir(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'guard', 'pra-guard'))) return join(dir, 'guard');
  }
  throw new Error(`guardUserData: guard/pra-guard not found above ${__dirname}; run from a pra-failback checkout`);
}

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** /etc/pra/guard.conf for a topology's guard settings (key=value; the guard parses it, never sources it). */
export function guardConfig(guard: Topology['guard']): string {
  const lines = [
    '# Written by pra-failback (cloud-init). guestinfo.pra.guard.* on the VM override these keys.',
    `sources=${guard.sources.join(',')}`,
    ...(guard.etcd ? [`etcd_endpoints=${guard.etcd.endpoints.join(',')}`, `etcd_key=${guard.etcd.key}`, `etcd_timeout_ms=${guard.etcd.timeoutMs}`] : []),
    `denied_exit_code=${guard.deniedExitCode}`,
    `replay_policy=${guard.replayPolicy}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** The `#cloud-config` text that installs the guard on a VM of `site`. */
export function guardUserData(options: { site: string; guard: Topology['guard'] }): string {
  const { site, guard } = options;
  if (!SITE_NAME.test(site)) {
    throw new Error(`guardUserData: site ${JSON.stringify(site)} is not a site name; use the topology's site name, such as rbx or sbg`);
  }
  if (guard.sources.includes('etcd') && !guard.etcd) {
    throw new Error('guardUserData: guard.sources lists etcd but guard.etcd is not set; add guard.etcd.endpoints to the topology');
  }
  const dir = guardDir();
  const read = (relative: string) => readFileSync(join(dir, relative), 'utf8');
  const values: Record<string, string> = {
    PRA_GUARD_B64: base64(read('pra-guard')),
    WRAP_ALL_B64: base64(read('install/pra-guard-wrap-all')),
    TMPFILES_B64: base64(read('install/pra-guard.tmpfiles.conf')),
    GUARD_CONF_B64: base64(guardConfig(guard)),
    SITE: site,
  };
  return read('install/cloud-init.yaml').replace(/@@([A-Z0-9_]+)@@/g, (placeholder, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`guardUserData: guard/install/cloud-init.yaml has an unknown placeholder ${placeholder}`);
    return value;
  });
}
