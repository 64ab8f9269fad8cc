import { randomBytes } from 'node:crypto';
import { GuestinfoPublisher } from '../../hooks/drivers/authority/publishers/guestinfo';
import { NotFoundError } from '../../hooks/drivers/common/errors';
import type { VsphereClient } from '../../hooks/drivers/vsphere';
import { provisionVms } from '../../testenv/vcsim/provision';
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
});
