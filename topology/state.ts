import { existsSync } from 'node:fs';
import { z } from 'zod';
import { writeFileAtomic } from '../hooks/drivers/common/atomic-file';
import { writingTo } from '../hooks/drivers/common/disk';
import { InputError, parseInput, type Problem } from './problems';
import { readSource } from './load';
import type { Topology } from './schema';

/** The failback state: what `cdktf deploy` uses as variable defaults, and what the engine toggles. */
export interface FailbackState {
  /** The site a failback brings production back to. */
  readonly failback_site: string;
  /** When on, the failback site's VMs are declared `startup_mode = suspended`. */
  readonly enable_failback_pause_mode: boolean;
  /** The site that serves traffic and owns the cron token. */
  readonly active_site: string;
}

export const STATE_FILE = 'failback.auto.tfvars.json';
export const STATE_KEYS = ['failback_site', 'enable_failback_pause_mode', 'active_site'] as const;

const stateSchema = z
  .object({ failback_site: z.string(), enable_failback_pause_mode: z.boolean(), active_site: z.string() })
  .strict();

function siteProblems(state: FailbackState, topology: Topology): Problem[] {
  const names = topology.sites.map((s) => s.name);
  const problems: Problem[] = [];
  for (const key of ['failback_site', 'active_site'] as const) {
    if (!names.includes(state[key])) problems.push({ path: [key], message: `must be a site of topology ${topology.name}: ${names.join(' | ')}` });
  }
  return problems;
}

/** The state of a fresh installation: production on the primary site, no failback under way. */
export function defaultState(topology: Topology): FailbackState {
  const primary = topology.sites.find((s) => s.role === 'primary') ?? topology.sites[0];
  return { failback_site: primary.name, enable_failback_pause_mode: false, active_site: primary.name };
}

/**
 * `displayName` is how messages name the file (e.g. relative to where the operator stands). An absent file
 * means the defaults only when `mayBeAbsent` (the default path): a path the operator typed must exist, or a
 * typo would silently compare against the defaults.
 */
export function loadState(file: string, topology: Topology, displayName = file, mayBeAbsent = true): FailbackState {
  if (!existsSync(file)) {
    if (mayBeAbsent) return defaultState(topology);
    throw new InputError(displayName, [`${displayName}: no such failback state file: check the path given to --state (without --state, ${STATE_FILE} in the project directory is used, its defaults when absent)`]);
  }
  const text = readSource(file, 'the failback state file must be a readable file: check its permissions');
  return parseInput(displayName, text, stateSchema, (state) => siteProblems(state, topology));
}

/** `failback_site=rbx enable_failback_pause_mode=false active_site=rbx`: a state on one line. */
export function describeState(state: FailbackState): string {
  return STATE_KEYS.map((key) => `${key}=${state[key]}`).join(' ');
}

/**
 * Applies `key=value` assignments (from `pra state set` or `pra diff --to-state`).
 * Unknown keys and bad values are input errors naming the argument.
 */
export function applyAssignments(state: FailbackState, assignments: readonly string[], topology: Topology): FailbackState {
  const next: Record<string, unknown> = { ...state };
  const errors: string[] = [];
  for (const assignment of assignments) {
    const eq = assignment.indexOf('=');
    const key = eq < 0 ? assignment : assignment.slice(0, eq);
    const raw = eq < 0 ? undefined : assignment.slice(eq + 1);
    if (!(STATE_KEYS as readonly string[]).includes(key)) {
      errors.push(`${assignment}: unknown state key ${JSON.stringify(key)}: use one of ${STATE_KEYS.join(', ')}`);
    } else if (raw === undefined) {
      errors.push(`${assignment}: missing value: write ${key}=VALUE`);
    } else if (key === 'enable_failback_pause_mode') {
      if (raw !== 'true' && raw !== 'false') errors.push(`${assignment}: must be true or false`);
      else next[key] = raw === 'true';
    } else {
      next[key] = raw;
    }
  }
  const result = next as unknown as FailbackState;
  for (const p of siteProblems(result, topology)) errors.push(`${String(p.path[0])}=${String(result[p.path[0] as keyof FailbackState])}: ${p.message}`);
  if (errors.length) throw new InputError('(arguments)', errors);
  return result;
}

/** Atomic write (temp file, fsync, rename, fsync of the directory): a crash leaves the old state or the new, never half. */
export function saveState(file: string, state: FailbackState): void {
  const ordered = Object.fromEntries(STATE_KEYS.map((k) => [k, state[k]]));
  writingTo(file, () => writeFileAtomic(file, `${JSON.stringify(ordered, null, 2)}\n`));
}
