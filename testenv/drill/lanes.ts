import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tryLockFile, unlockFile } from '../../hooks/drivers/authority/lock-file';
import { realSleep } from '../../hooks/drivers/common/retry';
import type { Topology } from '../../topology';
import { STATE_DIR, type Env } from '../core';

/**
 * Drill worlds run side by side (two jest workers, a `pra drill` next to the tests): each takes a lane, the
 * shared servers' parts that are its alone. A lane gives the world its vCenter datacenters (created in vcsim
 * for it), its DNS record in the drill zone and its HAProxy backend (testenv/services/haproxy.ts).
 */
export const DRILL_LANES = 4;

export interface DrillLane {
  readonly index: number;
  release(): void;
}

/** The topology with the lane's datacenters: its own names, suffixed (vcsim creates them with the world). */
export function inLane(topology: Topology, lane: number): Topology {
  return { ...topology, sites: topology.sites.map((site) => ({ ...site, vcenter: { ...site.vcenter, datacenter: `${site.vcenter.datacenter}-lane${lane}` } })) };
}

/** The lane's record in the drill zone. */
export const laneRecord = (lane: number): string => `app-lane${lane}`;

/** The lane's HAProxy backend (two servers named as the testenv's `be_app` ones). */
export function laneBackend(env: Env, lane: number): string {
  const backend = env.PRA_TESTENV_HAPROXY_DRILL_BACKENDS?.split(',')[lane];
  if (!backend) throw new Error(`drill: no HAProxy backend for drill lane ${lane} in the local environment; run testenv down, then testenv up`);
  return backend;
}

/** How long a world waits for a lane: as long as a queue of drills ahead of it (the crash test takes minutes under load). */
const WAIT_MS = 20 * 60_000;

/** Takes `wanted`, or the first free lane (the product's lock file: a dead taker's lane is free). */
export async function takeLane(wanted?: number): Promise<DrillLane> {
  if (wanted !== undefined && !(Number.isInteger(wanted) && wanted >= 0 && wanted < DRILL_LANES)) throw new Error(`drill: lane ${wanted} does not exist (0 to ${DRILL_LANES - 1})`);
  const dir = join(STATE_DIR, 'drill-lanes');
  mkdirSync(dir, { recursive: true });
  const deadline = Date.now() + WAIT_MS;
  const candidates = wanted === undefined ? Array.from({ length: DRILL_LANES }, (_, index) => index) : [wanted];
  for (;;) {
    for (const index of candidates) {
      const file = join(dir, String(index));
      const attempt = tryLockFile(file, { holder: `drill lane ${index}`, reason: 'drill world' });
      if (attempt.acquired) return { index, release: () => unlockFile(file, attempt.owner.token) };
    }
    if (Date.now() > deadline) throw new Error(`drill: ${wanted === undefined ? 'every lane has' : `lane ${wanted} has`} been taken for ${WAIT_MS / 60_000} min (${dir}: their drills' pids)`);
    await realSleep(200);
  }
}
