import { randomBytes } from 'node:crypto';
import { GuestinfoPublisher } from '../../hooks/drivers/authority/publishers/guestinfo';
import { NotFoundError } from '../../hooks/drivers/common/errors';
import type { VsphereClient } from '../../hooks/drivers/vsphere';
import { provisionVms, removeVms } from '../../testenv/vcsim/provision';
import { siteVcenter } from '../support/site-vcenter';

/** The guestinfo publisher on the real vSphere driver, against each site's vCenter simulator. */

const decision = (active: string, epoch: number) => ({ active, epoch, by: 'alice run-9', at: '2026-05-01T10:00:00.000Z', reason: 'handover' });

describe('guestinfo publisher through the vSphere driver (vcsim)', () => {
  const run = randomBytes(3).toString('hex');
  const vms = { rbx: `TEST-GUESTINFO-${run}-RBX`, sbg: `TEST-GUESTINFO-${run}-SBG` };
  const vcenter: Record<'rbx' | 'sbg', VsphereClient> = {} as Record<'rbx' | 'sbg', VsphereClient>;
  let publisher: GuestinfoPublisher;

  beforeAll(async () => {
    for (const site of ['rbx', 'sbg'] as const) {
      vcenter[site] = siteVcenter(site);
      await provisionVms(process.env as Record<string, string>, site, [{ name: vms[site], power: 'poweredOn', extraConfig: { 'guestinfo.pra.site': site } }]);
    }
    publisher = new GuestinfoPublisher([
      { vm: vms.rbx, vcenter: vcenter.rbx },
      { vm: vms.sbg, vcenter: vcenter.sbg },
      { vm: `TEST-GUESTINFO-${run}-GONE`, vcenter: vcenter.rbx },
    ]);
  });
  afterAll(() => Promise.all(Object.values(vcenter).map((c) => c.close())));

  it('publishes the decision to each VM through its own site vCenter and reads it back', async () => {
    const [rbx, sbg] = await publisher.publish(decision('none', 41));
    expect([rbx, sbg]).toEqual([
      { guest: vms.rbx, sees: { active: 'none', epoch: 41 } },
      { guest: vms.sbg, sees: { active: 'none', epoch: 41 } },
    ]);
  });

  it('leaves the keys in the VM extraConfig, where the guest reads them', async () => {
    await publisher.publish(decision('rbx', 42));
    expect(await vcenter.sbg.readExtraConfig(vms.sbg)).toMatchObject({ 'guestinfo.pra.active_site': 'rbx', 'guestinfo.pra.epoch': '42', 'guestinfo.pra.site': 'sbg' });
  });

  it('reports a VM the vCenter does not hold as that guest\'s error only', async () => {
    const confirmations = await publisher.publish(decision('rbx', 43));
    expect(confirmations.filter((c) => 'sees' in c)).toHaveLength(2);
    const gone = confirmations[2];
    expect(gone.guest).toBe(`TEST-GUESTINFO-${run}-GONE`);
    expect('error' in gone && gone.error).toBeInstanceOf(NotFoundError);
  });

  it('reads what every guest sees without writing', async () => {
    await publisher.publish(decision('rbx', 44));
    expect((await publisher.read()).slice(0, 2).map((c) => 'sees' in c && c.sees)).toEqual([{ active: 'rbx', epoch: 44 }, { active: 'rbx', epoch: 44 }]);
  });

  it('reaches the VM Zerto recovered under the protected VM\'s name, and reads the guest back from it', async () => {
    // At RBX: the guest's own VM (off since the disaster) and the VM recovered from its SBG peer, named after it.
    const recovered = new GuestinfoPublisher([{ vm: vms.rbx, recoveredAs: vms.sbg, vcenter: vcenter.rbx }]);
    await provisionVms(process.env as Record<string, string>, 'rbx', [{ name: vms.sbg, power: 'poweredOn' }]);
    try {
      expect(await recovered.publish(decision('rbx', 45))).toEqual([{ guest: vms.rbx, sees: { active: 'rbx', epoch: 45 } }]);
      for (const vm of [vms.sbg, vms.rbx]) expect(await vcenter.rbx.readExtraConfig(vm)).toMatchObject({ 'guestinfo.pra.active_site': 'rbx', 'guestinfo.pra.epoch': '45' });
      // The recovered VM is the one the guest reads: the own VM's keys do not stand for it.
      await vcenter.rbx.writeExtraConfig(vms.sbg, { 'guestinfo.pra.epoch': '40' });
      expect(await recovered.read()).toEqual([{ guest: vms.rbx, sees: { active: 'rbx', epoch: 40 } }]);
    } finally {
      await removeVms(process.env as Record<string, string>, 'rbx', [vms.sbg]);
    }
    // Not recovered here (or removed): the guest's own VM, as before.
    expect(await recovered.publish(decision('rbx', 46))).toEqual([{ guest: vms.rbx, sees: { active: 'rbx', epoch: 46 } }]);
  });
});
