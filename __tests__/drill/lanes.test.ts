import { EXAMPLE_TOPOLOGY } from '../../testenv/core';
import { DRILL_LANES, inLane, takeLane } from '../../testenv/drill/lanes';
import { loadTopology } from '../../topology';

describe('drill lanes', () => {
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
