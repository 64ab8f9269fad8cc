import { NotFoundError } from '../../hooks/drivers/common/errors';
import type { VsphereClient } from '../../hooks/drivers/vsphere';
import { provisionVms, removeVms } from '../../testenv/vcsim/provision';
import { exclusive } from '../support/exclusive';
import { testenv } from '../support/testenv';
import { aClient, someVms } from './support';

describe('vSphere driver against the vCenter simulator', () => {
  exclusive('vcenter-example-vms'); // reads the example VMs' power, which the Zerto recovery tests change
  let client: VsphereClient;
  beforeAll(() => {
    client = aClient();
  });
  afterAll(() => client.close());

  it('logs in with the configured credentials', async () => {
    await expect(client.login()).resolves.toBeUndefined();
  });

  it('finds a topology VM by its real name in the site datacenter', async () => {
    await expect(client.findVm('VM-DOCKER-APP-A-RBX')).resolves.toEqual({ type: 'VirtualMachine', value: expect.any(String) });
  });

  it('finds a VM by its full inventory path', async () => {
    const [vm] = await someVms('poweredOff');
    const byName = await client.findVm(vm);
    await expect(client.findVm(`/${testenv('VCENTER_RBX_DATACENTER')}/vm/${vm}`)).resolves.toEqual(byName);
  });

  it('finds a VM that lives in a subfolder by its name alone', async () => {
    const [vm] = await someVms('poweredOff', 1, { folder: 'Zerto-recovered' });
    await expect(client.findVm(vm)).resolves.toEqual({ type: 'VirtualMachine', value: expect.any(String) });
  });

  it('raises NotFoundError for a VM the datacenter does not hold', async () => {
    await expect(client.findVm('NO-SUCH-VM')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('starts the topology VMs in the post-disaster state: SBG on, RBX off', async () => {
    const rbx = await client.powerStates(['VM-DOCKER-APP-A-RBX', 'VM-MYSQL-APP-A-RBX']);
    expect([...rbx.values()]).toEqual(['poweredOff', 'poweredOff']);
    const sbg = aClient({ config: { url: testenv('VCENTER_SBG_URL'), datacenter: testenv('VCENTER_SBG_DATACENTER') } });
    try {
      expect([...(await sbg.powerStates(['VM-DOCKER-APP-B-SBG', 'VM-MYSQL-APP-B-SBG'])).values()]).toEqual(['poweredOn', 'poweredOn']);
    } finally {
      await sbg.close();
    }
  });

  it('reads power states of many VMs at once and leaves out unknown names', async () => {
    const [on, off] = [...(await someVms('poweredOn')), ...(await someVms('poweredOff'))];
    const states = await client.powerStates([on, off, 'NO-SUCH-VM']);
    expect(Object.fromEntries(states)).toEqual({ [on]: 'poweredOn', [off]: 'poweredOff' });
  });

  it('reads the power state of a VM removed and created again under its name (what a Zerto Move does) after reading the old one', async () => {
    const [vm] = await someVms('poweredOn');
    expect((await client.powerStates([vm])).get(vm)).toBe('poweredOn'); // the old VM's reference is cached
    await removeVms(process.env, 'rbx', [vm]);
    expect(await client.powerStates([vm])).toEqual(new Map());
    await provisionVms(process.env, 'rbx', [{ name: vm, power: 'suspended' }]);
    expect(await client.powerStates([vm])).toEqual(new Map([[vm, 'suspended']]));
  });

  it('powers on a powered-off VM', async () => {
    const [vm] = await someVms('poweredOff');
    await expect(client.ensureRunning(vm)).resolves.toEqual({ vm, before: 'poweredOff', after: 'poweredOn', changed: true });
  });

  it('resumes a suspended VM', async () => {
    const [vm] = await someVms('suspended');
    await expect(client.ensureRunning(vm)).resolves.toMatchObject({ before: 'suspended', after: 'poweredOn', changed: true });
  });

  it('suspends a running VM', async () => {
    const [vm] = await someVms('poweredOn');
    await expect(client.ensureSuspended(vm)).resolves.toMatchObject({ before: 'poweredOn', after: 'suspended', changed: true });
    await expect(client.powerState(vm)).resolves.toBe('suspended');
  });

  it('stops a running VM through a guest shutdown', async () => {
    const [vm] = await someVms('poweredOn');
    await expect(client.ensureOff(vm, { pollIntervalMs: 20 })).resolves.toMatchObject({ before: 'poweredOn', after: 'poweredOff', changed: true });
  });

  it('powers off a suspended VM', async () => {
    const [vm] = await someVms('suspended');
    await expect(client.ensureOff(vm)).resolves.toMatchObject({ before: 'suspended', after: 'poweredOff', changed: true });
  });

  it('does nothing, without error, when a VM is already in the wanted power state', async () => {
    const [on, suspended, off] = [...(await someVms('poweredOn')), ...(await someVms('suspended')), ...(await someVms('poweredOff'))];
    await expect(client.ensureRunning(on)).resolves.toMatchObject({ changed: false, after: 'poweredOn' });
    await expect(client.ensureSuspended(suspended)).resolves.toMatchObject({ changed: false, after: 'suspended' });
    await expect(client.ensureOff(off)).resolves.toMatchObject({ changed: false, after: 'poweredOff' });
  });

  it('leaves a powered-off VM off when asked to suspend it', async () => {
    const [vm] = await someVms('poweredOff');
    await expect(client.ensureSuspended(vm)).resolves.toMatchObject({ changed: false, after: 'poweredOff' });
  });

  it('reads the extraConfig the topology gives a VM', async () => {
    await expect(client.readExtraConfig('VM-MYSQL-APP-A-RBX')).resolves.toMatchObject({ 'guestinfo.pra.site': 'rbx', 'pra.failback.site': 'rbx' });
  });

  it('writes extraConfig keys and reads back the latest values', async () => {
    const [vm] = await someVms('poweredOn');
    await client.writeExtraConfig(vm, { 'guestinfo.pra.active_site': 'none', 'guestinfo.pra.epoch': '7' });
    await client.writeExtraConfig(vm, { 'guestinfo.pra.active_site': 'rbx', 'guestinfo.pra.epoch': '8' });
    await expect(client.readExtraConfig(vm)).resolves.toMatchObject({ 'guestinfo.pra.active_site': 'rbx', 'guestinfo.pra.epoch': '8' });
  });

  it('deletes an extraConfig key written with an empty value and keeps the others', async () => {
    const [vm] = await someVms('poweredOff', 1, { extraConfig: { 'guestinfo.pra.epoch': '3', 'guestinfo.pra.site': 'rbx' } });
    await client.writeExtraConfig(vm, { 'guestinfo.pra.epoch': '' });
    const config = await client.readExtraConfig(vm);
    expect(Object.keys(config)).not.toContain('guestinfo.pra.epoch');
    expect(config['guestinfo.pra.site']).toBe('rbx');
  });

  it('writes values with XML special characters unchanged', async () => {
    const [vm] = await someVms('poweredOff');
    const value = `<a b="c"> & 'd' é`;
    await client.writeExtraConfig(vm, { 'guestinfo.pra.note': value });
    expect((await client.readExtraConfig(vm))['guestinfo.pra.note']).toBe(value);
  });

  it('provisions more VMs idempotently', async () => {
    const [vm] = await someVms('poweredOn');
    const env = process.env as Record<string, string>;
    await expect(provisionVms(env, 'rbx', [{ name: vm, power: 'poweredOff' }])).resolves.toEqual([]);
    await expect(client.powerState(vm)).resolves.toBe('poweredOn');
  });
});
