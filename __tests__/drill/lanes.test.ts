import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE_TOPOLOGY, tryPidLock } from '../../testenv/core';
import { DRILL_LANES, inLane, takeLane } from '../../testenv/drill/lanes';
import { loadTopology } from '../../topology';
import { tempDirs } from '../helpers/tmp';

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

describe('drill lanes', () => {
  it('a lock file is taken once, holds its taker pid, and is freed when its taker died', () => {
    const file = join(dirs.make('pra-lanes-'), 'lane');
    expect(tryPidLock(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(String(process.pid));
    expect(tryPidLock(file)).toBe(false); // held by a live process (this one)
    const dead = spawnSync(process.execPath, ['-e', '0']).pid; // a pid that no longer runs
    writeFileSync(file, String(dead));
    expect(tryPidLock(file)).toBe(false); // this try frees it...
    expect(existsSync(file)).toBe(false);
    expect(tryPidLock(file)).toBe(true); // ...for the next one
    writeFileSync(file, ''); // a taker between its open and its write
    expect(tryPidLock(file)).toBe(false);
    expect(existsSync(file)).toBe(true);
  });

  it('gives worlds taken at once different lanes', async () => {
    const taken = await Promise.all([takeLane(), takeLane()]);
    try {
      expect(taken[0].index).not.toBe(taken[1].index);
      for (const lane of taken) expect(lane.index).toBeLessThan(DRILL_LANES);
    } finally {
      for (const lane of taken) lane.release();
    }
  });

  it('refuses a lane that does not exist', async () => {
    await expect(takeLane(4)).rejects.toThrow('drill: lane 4 does not exist (0 to 3)');
  });

  it("renames every site's datacenter for the lane and nothing else", () => {
    const example = loadTopology(EXAMPLE_TOPOLOGY);
    const laned = inLane(example, 2);
    expect(laned.sites.map((s) => s.vcenter.datacenter)).toEqual(example.sites.map((s) => `${s.vcenter.datacenter}-lane2`));
    expect({ ...laned, sites: laned.sites.map((s) => ({ ...s, vcenter: { ...s.vcenter, datacenter: 'x' } })) }).toEqual({ ...example, sites: example.sites.map((s) => ({ ...s, vcenter: { ...s.vcenter, datacenter: 'x' } })) });
  });
});
