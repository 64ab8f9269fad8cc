import { randomBytes } from 'node:crypto';
import { NotFoundError } from '../../hooks/drivers/common/errors';
import { HttpClient } from '../../hooks/drivers/common/http';
import type { VsphereClient } from '../../hooks/drivers/vsphere';
import { provisionVms, removeVms } from '../../testenv/vcsim/provision';
import type { VcsimPlacement } from '../../testenv/vcsim/inventory';
import { testenv } from '../support/testenv';
import { vmPlacements } from '../support/vcsim-placement';
import { aClient, aConfig } from './support';

// Datacenters and VM names of this run only: the simulator outlives a run and the other suites use its default datacenter.
const run = randomBytes(3).toString('hex').toUpperCase();
const env = process.env as Record<string, string>;
const placement: VcsimPlacement = { datacenter: `dc-test-${run}`, cluster: 'Cluster-A', datastore: `vsan-${run}`, network: 'vlan-42' };
const inDatacenter = (datacenter: string) => aConfig('direct', { datacenter });

describe("vcsim's control endpoint: VMs in a datacenter the request names", () => {
  const clients: VsphereClient[] = [];
  const clientIn = (datacenter: string) => {
    const client = aClient({ config: { datacenter } });
    clients.push(client);
    return client;
  };
  afterAll(() => Promise.all(clients.map((c) => c.close())));

  it('creates the datacenter with its cluster, datastore and network, and the VMs there, found by the vSphere driver', async () => {
    const names = [`PLACED-${run}-1`, `PLACED-${run}-2`];
    await expect(provisionVms(env, 'rbx', [{ name: names[0], power: 'poweredOn' }, { name: names[1], folder: 'pra' }], placement)).resolves.toEqual(names);
    const client = clientIn(placement.datacenter);
    expect([...(await client.powerStates(names))]).toEqual([[names[0], 'poweredOn'], [names[1], 'poweredOff']]);
    await expect(client.findVm(`/${placement.datacenter}/vm/pra/${names[1]}`)).resolves.toMatchObject({ type: 'VirtualMachine' });
    const placements = await vmPlacements(inDatacenter(placement.datacenter), names);
    expect([...placements.values()]).toEqual([placement, placement]);
    // Not in the default datacenter.
    await expect(clientIn(testenv('VCENTER_RBX_DATACENTER')).findVm(names[0])).rejects.toThrow(NotFoundError);
  });

  it('keeps two VMs of one name apart in two datacenters, and removes only the one of the datacenter named', async () => {
    const name = `TWIN-${run}`;
    const other: VcsimPlacement = { datacenter: `dc-other-${run}`, cluster: 'Cluster-B', datastore: `ds-${run}`, network: 'VM Network' };
    await provisionVms(env, 'rbx', [{ name, power: 'poweredOn' }], placement);
    await provisionVms(env, 'rbx', [{ name, power: 'suspended' }], other);
    await expect(provisionVms(env, 'rbx', [{ name, power: 'poweredOff' }], other)).resolves.toEqual([]); // idempotent per datacenter
    expect(await clientIn(placement.datacenter).powerState(name)).toBe('poweredOn');
    expect(await clientIn(other.datacenter).powerState(name)).toBe('suspended');
    expect((await vmPlacements(inDatacenter(other.datacenter), [name])).get(name)).toEqual(other); // an existing network (every datacenter has VM Network)

    await expect(removeVms(env, 'rbx', [name], other.datacenter)).resolves.toEqual([name]);
    await expect(clientIn(other.datacenter).powerStates([name])).resolves.toEqual(new Map());
    expect(await clientIn(placement.datacenter).powerState(name)).toBe('poweredOn');
    await expect(removeVms(env, 'rbx', [name], `dc-none-${run}`)).resolves.toEqual([]); // no such datacenter: nothing to remove
  });

  it('puts VMs on a second cluster of an existing datacenter', async () => {
    const name = `SECOND-${run}`;
    const second = { ...placement, cluster: 'Cluster-Z', datastore: `ds-z-${run}`, network: 'vlan-43' };
    await provisionVms(env, 'rbx', [{ name }], second);
    expect((await vmPlacements(inDatacenter(second.datacenter), [name])).get(name)).toEqual(second);
  });

  it('refuses a datacenter without its cluster, datastore and network (400), creating nothing', async () => {
    const http = new HttpClient('vcsim rbx', testenv('VCENTER_RBX_CONTROL_URL'), { caFile: testenv('CA') });
    try {
      const body = JSON.stringify({ datacenter: `dc-half-${run}`, vms: [{ name: `HALF-${run}` }] });
      const basic = Buffer.from(`${testenv('VCENTER_USER')}:${testenv('VCENTER_PASSWORD')}`).toString('base64');
      const res = await http.request({ method: 'POST', url: testenv('VCENTER_RBX_CONTROL_URL'), headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/json' }, body, timeoutMs: 30000 });
      expect({ status: res.status, body: res.body.trim() }).toEqual({ status: 400, body: 'a request naming a datacenter must name its cluster, datastore and network too' });
    } finally {
      http.close();
    }
    await expect(clientIn(`dc-half-${run}`).powerStates([`HALF-${run}`])).rejects.toThrow(/no datacenter dc-half-/);
  });

  it('leaves a request without a datacenter in the default one, as before', async () => {
    const name = `DEFAULT-${run}`;
    await provisionVms(env, 'rbx', [{ name }]);
    const [found] = [...(await vmPlacements(inDatacenter(testenv('VCENTER_RBX_DATACENTER')), [name])).values()];
    expect(found).toEqual({ datacenter: testenv('VCENTER_RBX_DATACENTER'), cluster: 'DC0_C0', datastore: 'LocalDS_0', network: '' });
    await expect(removeVms(env, 'rbx', [name])).resolves.toEqual([name]);
  });
});
