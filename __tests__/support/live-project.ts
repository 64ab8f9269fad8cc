import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { saveState, type FailbackState } from '../../topology';
import type { Env } from '../../testenv/core';
import { drillTopology, topologyYaml } from '../../testenv/drill/topology';

/**
 * A project directory whose topology (`topology.yaml`: the example's sites and VMs) points every system at the
 * local environment: vcsim, the Zerto simulator's default instance, BIND, HAProxy, a file authority in the
 * directory. `env` is what `pra` verbs run with there.
 */
export function liveProject(dir: string, state: FailbackState = { failback_site: 'sbg', enable_failback_pause_mode: true, active_site: 'sbg' }): { dir: string; env: NodeJS.ProcessEnv } {
  writeFileSync(join(dir, 'topology.yaml'), topologyYaml(drillTopology(process.env as Env, dir)));
  saveState(join(dir, 'failback.auto.tfvars.json'), state);
  return { dir, env: { ...process.env, PRA_TOPOLOGY: 'topology.yaml', PRA_JOURNAL_DIR: join(dir, 'runs') } };
}
