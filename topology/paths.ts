import { isAbsolute, join } from 'node:path';
import { STATE_FILE } from './state';

/** The topology used when none is named: the shipped example, relative to the project directory. */
export const DEFAULT_TOPOLOGY = join('examples', 'ovh-rbx-sbg.yaml');

/** An explicit path wins, then a non-empty $PRA_TOPOLOGY, then the example. Relative paths are taken from `cwd`. */
export function topologyPath(cwd: string, env: NodeJS.ProcessEnv, explicit?: string): string {
  return within(cwd, explicit ?? (env.PRA_TOPOLOGY || DEFAULT_TOPOLOGY));
}

/** The failback state file: `failback.auto.tfvars.json` in the project directory unless named. */
export function statePath(cwd: string, explicit?: string): string {
  return within(cwd, explicit ?? STATE_FILE);
}

function within(cwd: string, file: string): string {
  return isAbsolute(file) ? file : join(cwd, file);
}
