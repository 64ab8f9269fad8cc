import { GuestinfoPublisher, type ExtraConfigAccess } from '../../hooks/drivers/authority/publishers/guestinfo';
import { topologySchema } from '../../topology/schema';
import { loadTopology } from '../../topology';
import { EXAMPLE_TOPOLOGY } from '../../testenv/core';

/** A vCenter that holds extraConfig in memory and counts the calls in flight: only the fan-out is under test here. */
function countingVcenter(): ExtraConfigAccess & { maxInFlight: number } {
  const config = new Map<string, Record<string, string>>();
  let inFlight = 0;
  const counted = async <T>(body: () => T): Promise<T> => {
    inFlight++;
    vcenter.maxInFlight = Math.max(vcenter.maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, 5));
    inFlight--;
    return body();
  };
  const vcenter = {
    maxInFlight: 0,
    readExtraConfig: (vm: string) => counted(() => ({ ...config.get(vm) })),
    writeExtraConfig: (vm: string, entries: Record<string, string>) => counted(() => void config.set(vm, { ...config.get(vm), ...entries })),
  };
  return vcenter as never;
}

const decision = { active: 'rbx', epoch: 3, by: 'test', at: '2026-05-01T10:00:00.000Z', reason: 'fan-out' };

describe('guest fan-out', () => {
  it('is a topology setting, 16 unless set', () => {
    expect(loadTopology(EXAMPLE_TOPOLOGY).guard.fanOut).toBe(16);
    expect(topologySchema.shape.guard.parse({ fanOut: 4 }).fanOut).toBe(4);
    expect(() => topologySchema.shape.guard.parse({ fanOut: 0 })).toThrow(/fanOut|greater than or equal to 1/);
  });

  it('bounds how many guests a publisher talks to at once', async () => {
    for (const fanOut of [1, 3, 16]) {
      const vcenter = countingVcenter();
      const guests = Array.from({ length: 20 }, (_, i) => ({ vm: `VM-${i}`, vcenter }));
      const confirmations = await new GuestinfoPublisher(guests, fanOut).publish(decision);
      expect(confirmations.every((c) => 'sees' in c && c.sees.epoch === 3)).toBe(true);
      expect(vcenter.maxInFlight).toBe(fanOut);
    }
  });
});
