import { VmInventory } from '../../hooks/drivers/vsphere/inventory';
import { readPowerStatesByName } from '../../hooks/drivers/vsphere/power';
import { VsphereSession } from '../../hooks/drivers/vsphere/session';
import type { MoRef } from '../../hooks/drivers/vsphere/soap';
import type { XmlElement } from '../../hooks/drivers/vsphere/xml';
import { provisionVms, removeVms } from '../../testenv/vcsim/provision';
import { aConfig, someVms } from './support';

/**
 * A session on the real simulator whose callers the test interleaves: `afterLookup` runs once the n-th
 * FindByInventoryPath has its answer, before its caller sees it; `nextCall` resolves when a method is next called.
 */
class SteppedSession extends VsphereSession {
  afterLookup: (n: number) => Promise<void> = async () => undefined;
  private lookups = 0;
  private waiters: { method: string; started: () => void }[] = [];

  override async call(method: string, target: MoRef, args?: string): Promise<XmlElement> {
    for (const waiter of this.waiters.filter((w) => w.method === method)) waiter.started();
    this.waiters = this.waiters.filter((w) => w.method !== method);
    const answer = await super.call(method, target, args);
    if (method === 'FindByInventoryPath') await this.afterLookup(++this.lookups);
    return answer;
  }

  nextCall(method: string): Promise<void> {
    return new Promise((started) => this.waiters.push({ method, started }));
  }
}

/** Removes the VM and creates it again under its name (a Zerto Move's commit, then a recovery): a new reference. */
async function recreate(vm: string): Promise<void> {
  await removeVms(process.env, 'rbx', [vm]);
  await provisionVms(process.env, 'rbx', [{ name: vm, power: 'suspended' }]);
}

describe('one vCenter client read by several callers at once (the engine and a power watcher)', () => {
  it('a name lookup answered before another caller forgot a stale reference does not bring it back', async () => {
    const [vm] = await someVms('poweredOn');
    const session = new SteppedSession(aConfig());
    const inventory = new VmInventory(session);
    let releaseSlow!: () => void;
    const slowHeld = new Promise<void>((held) => {
      session.afterLookup = async (n) => {
        if (n === 1) {
          held();
          await new Promise<void>((release) => (releaseSlow = release)); // the slow caller's answer: the old VM
        }
        if (n === 3) {
          // The other caller looks the name up again after forgetting: the slow caller's answer lands meanwhile.
          const slowReads = session.nextCall('RetrievePropertiesEx');
          releaseSlow();
          await slowReads;
        }
      };
    });
    const slow = readPowerStatesByName(session, inventory, [vm]); // lookup 1
    await slowHeld;
    expect(await readPowerStatesByName(session, inventory, [vm])).toEqual(new Map([[vm, 'poweredOn']])); // lookup 2: cached
    await recreate(vm);
    // Its cached reference is gone: it forgets, looks up again (lookup 3), and must read the VM there now.
    await expect(readPowerStatesByName(session, inventory, [vm])).resolves.toEqual(new Map([[vm, 'suspended']]));
    await expect(slow).resolves.toEqual(new Map([[vm, 'suspended']]));
    await session.close();
  });

  it('reads a VM removed and created again between its fresh lookup and its read (a rollback removing it) once more', async () => {
    const [vm] = await someVms('poweredOn');
    const session = new SteppedSession(aConfig());
    const inventory = new VmInventory(session);
    expect(await readPowerStatesByName(session, inventory, [vm])).toEqual(new Map([[vm, 'poweredOn']])); // lookup 1: cached
    await recreate(vm);
    session.afterLookup = async (n) => {
      if (n === 2) await recreate(vm); // after the lookup that follows the stale reference's failure
    };
    await expect(readPowerStatesByName(session, inventory, [vm])).resolves.toEqual(new Map([[vm, 'suspended']]));
    await session.close();
  });
});
