import { GuestinfoPublisher, type ExtraConfigAccess } from '../../hooks/drivers/authority/publishers/guestinfo';
import { NotFoundError } from '../../hooks/drivers/common/errors';

/** A vCenter's extraConfig in memory; the vcsim integration test runs the same publisher on the real driver. */
class InMemoryVcenter implements ExtraConfigAccess {
  readonly vms = new Map<string, Record<string, string>>();
  writes = 0;
  constructor(names: string[]) {
    for (const name of names) this.vms.set(name, { 'guestinfo.pra.site': 'rbx' });
  }
  async readExtraConfig(vm: string) {
    return { ...this.vm(vm) };
  }
  async writeExtraConfig(vm: string, entries: Readonly<Record<string, string>>) {
    this.writes++;
    Object.assign(this.vm(vm), entries);
  }
  private vm(name: string): Record<string, string> {
    const vm = this.vms.get(name);
    if (!vm) throw new NotFoundError('vcenter test', `VM ${name} not found`);
    return vm;
  }
}

const decision = { active: 'none', epoch: 8, by: 'alice', at: '2026-05-01T10:00:00.000Z', reason: 'handover' };

describe('guestinfo publisher', () => {
  it('writes both keys in one reconfigure and reads them back', async () => {
    const vcenter = new InMemoryVcenter(['app-rbx-01']);
    const confirmations = await new GuestinfoPublisher([{ vm: 'app-rbx-01', vcenter }]).publish(decision);
    expect(confirmations).toEqual([{ guest: 'app-rbx-01', sees: { active: 'none', epoch: 8 } }]);
    expect(vcenter.writes).toBe(1);
    expect(vcenter.vms.get('app-rbx-01')).toEqual({ 'guestinfo.pra.site': 'rbx', 'guestinfo.pra.active_site': 'none', 'guestinfo.pra.epoch': '8' });
  });

  it('publishes each VM through its own site\'s vCenter and reports a missing VM alone', async () => {
    const rbx = new InMemoryVcenter(['app-rbx-01']);
    const sbg = new InMemoryVcenter(['app-sbg-01']);
    const confirmations = await new GuestinfoPublisher([
      { vm: 'app-rbx-01', vcenter: rbx },
      { vm: 'app-sbg-01', vcenter: sbg },
      { vm: 'app-gone', vcenter: sbg },
    ]).publish(decision);
    expect(confirmations.slice(0, 2)).toEqual([
      { guest: 'app-rbx-01', sees: { active: 'none', epoch: 8 } },
      { guest: 'app-sbg-01', sees: { active: 'none', epoch: 8 } },
    ]);
    expect('error' in confirmations[2] && confirmations[2].error).toBeInstanceOf(NotFoundError);
  });

  it('reports a VM without the keys instead of guessing', async () => {
    const [result] = await new GuestinfoPublisher([{ vm: 'app-rbx-01', vcenter: new InMemoryVcenter(['app-rbx-01']) }]).read();
    expect('error' in result && result.error.message).toContain('guestinfo.pra.active_site / guestinfo.pra.epoch: no valid active site');
  });
});
