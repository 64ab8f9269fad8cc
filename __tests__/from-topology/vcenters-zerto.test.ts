import { SecretUnavailableError } from '../../hooks/drivers/common/secret';
import type { VsphereClient } from '../../hooks/drivers/vsphere';
import { vcentersFromTopology } from '../../hooks/drivers/vsphere/from-topology';
import { zertoFromTopology } from '../../hooks/drivers/zerto/from-topology';
import { exclusive } from '../support/exclusive';
import { Exposure } from '../support/secret-scan';
import { testenv } from '../support/testenv';
import { testenvTopology } from '../support/testenv-topology';
import { startSim, testSecrets, type SimHandle } from '../zerto/sim';

/** The vSphere and Zerto drivers a topology declares, against the vCenter and Zerto simulators. */

exclusive('vcenter-example-vms'); // reads the example VMs' declared guestinfo.pra.site, which a running drill clears

describe('vCenter clients from the topology', () => {
  const exposure = new Exposure();
  let vcenters: Record<string, VsphereClient>;
  beforeAll(() => {
    vcenters = vcentersFromTopology(testenvTopology(), process.env, { log: exposure.log });
  });
  afterAll(() => Promise.all(Object.values(vcenters).map((c) => c.close())));

  it('gives each site a client of its own vCenter and datacenter', async () => {
    expect((await vcenters.rbx.readExtraConfig('VM-MYSQL-APP-A-RBX'))['guestinfo.pra.site']).toBe('rbx');
    expect((await vcenters.sbg.readExtraConfig('VM-MYSQL-APP-B-SBG'))['guestinfo.pra.site']).toBe('sbg');
  });

  it('refuses to build without the password variable the topology names', () => {
    expect(() => vcentersFromTopology(testenvTopology(), {})).toThrow(SecretUnavailableError);
  });

  it('leaves the vCenter password out of its log lines', () => {
    expect(exposure.leaked([testenv('VCENTER_PASSWORD')])).toEqual([]);
  });
});

describe('Zerto drivers from the topology', () => {
  const exposure = new Exposure();
  let sim: SimHandle;
  beforeAll(async () => {
    sim = await startSim();
  });
  afterAll(() => sim.close());

  it('gives each site a driver of its own ZVM', async () => {
    const zerto = zertoFromTopology(testenvTopology(undefined, sim.urls), process.env, { log: exposure.log });
    try {
      expect((await zerto.rbx.getVpg('VPG-SBG-TO-RBX')).statusName).toBe('MeetingSLA');
      expect((await sim.state()).requests.filter((r) => r.path === '/v1/vpgs?name=VPG-SBG-TO-RBX').map((r) => r.site)).toEqual(['rbx']);
    } finally {
      await Promise.all(Object.values(zerto).map((d) => d.client.close()));
    }
  });

  it('logs in with the client_credentials grant a site declares', async () => {
    const topology = testenvTopology((t) => {
      Object.assign(t.sites[1].zerto, { grant: 'client_credentials', username: testenv('ZERTO_CLIENT_ID'), password: { env: 'PRA_TESTENV_ZERTO_CLIENT_SECRET' } });
    }, sim.urls);
    const zerto = zertoFromTopology(topology, process.env, { log: exposure.log });
    try {
      // The simulator refuses a password grant for a client id: only client_credentials logs in.
      expect((await zerto.sbg.listVpgs()).length).toBe(2);
    } finally {
      await Promise.all(Object.values(zerto).map((d) => d.client.close()));
    }
  });

  it('leaves the Zerto secrets out of its log lines', () => {
    expect(exposure.leaked(testSecrets())).toEqual([]);
  });
});
