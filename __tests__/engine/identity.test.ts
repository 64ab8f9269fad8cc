import { join } from 'node:path';
import { loadTopology } from '../../topology';
import { FileAuthority } from '../../hooks/drivers/authority/file';
import type { VsphereClient } from '../../hooks/drivers/vsphere';
import { identityStep } from '../../hooks/steps/identity';
import type { FailbackSystems } from '../../hooks/steps/systems';
import type { StepContext } from '../../hooks/engine/step';
import { EXAMPLE_TOPOLOGY } from '../../testenv/core';
import { tempDirs } from '../helpers/tmp';
import { exclusive } from '../support/exclusive';
import { siteVcenter } from '../support/site-vcenter';

exclusive('vcenter-example-vms'); // rewrites the example RBX VMs' guestinfo in the shared vcsim

// Hazard H11, engine side: before a recovered VM runs, its VMX gets this site and the current fence,
// written through the recovery site's vCenter (vcsim here) and read back.
const RBX_VMS = ['VM-DOCKER-APP-A-RBX', 'VM-MYSQL-APP-A-RBX'];
const KEYS = ['guestinfo.pra.site', 'guestinfo.pra.active_site', 'guestinfo.pra.epoch'];
const dirs = tempDirs();
let rbx: VsphereClient;

beforeAll(() => {
  rbx = siteVcenter('rbx');
});

afterAll(async () => {
  // Back as provisioned (testenv/vcsim/inventory.ts): the declared site, no fence.
  await Promise.all(RBX_VMS.map((vm) => rbx.writeExtraConfig(vm, { 'guestinfo.pra.site': 'rbx', 'guestinfo.pra.active_site': '', 'guestinfo.pra.epoch': '' })));
  await rbx.close();
  dirs.removeAll();
});

/** A step context over the real vcsim and a file authority holding `record` (none when undefined). */
async function context(record?: { active: string; epoch: number }): Promise<StepContext<FailbackSystems>> {
  const authority = new FileAuthority({ path: join(dirs.make('pra-identity-'), 'authority.json') });
  if (record) await authority.compareAndSet(0, { ...record, by: 'test', at: new Date().toISOString(), reason: 'test' });
  const systems = { topology: loadTopology(EXAMPLE_TOPOLOGY), vcenter: () => rbx, authority } as unknown as FailbackSystems;
  return { runId: 'test', systems, outputs: {}, signal: new AbortController().signal, progress: () => undefined };
}

describe('restore.identity', () => {
  beforeEach(() => Promise.all(RBX_VMS.map((vm) => rbx.writeExtraConfig(vm, Object.fromEntries(KEYS.map((k) => [k, '']))))));

  it('writes the recovery site and the authority fence into every recovered VM, read back from vCenter', async () => {
    const ctx = await context({ active: 'sbg', epoch: 1 });
    const step = identityStep('sbg', 'rbx');
    expect(await step.check!(ctx)).toBeUndefined();
    expect(await step.act(ctx)).toEqual({ site: 'rbx', fence: 'sbg@1', vms: RBX_VMS });
    for (const vm of RBX_VMS) {
      const config = await rbx.readExtraConfig(vm);
      expect(KEYS.map((k) => config[k])).toEqual(['rbx', 'sbg', '1']);
    }
    expect(await step.check!(ctx)).toEqual({ output: { alreadyWritten: true } });
  });

  it('refuses when the authority holds no record (nothing to fence with), writing nothing', async () => {
    const ctx = await context();
    await expect(identityStep('sbg', 'rbx').act(ctx)).rejects.toThrow('no active-site record');
    expect((await rbx.readExtraConfig(RBX_VMS[0]))['guestinfo.pra.site']).toBeUndefined();
  });
});
