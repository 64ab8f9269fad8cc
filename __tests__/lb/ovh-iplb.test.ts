import { PermanentError } from '../../hooks/drivers/common/errors';
import { OvhIplb } from '../../hooks/drivers/lb/ovh-iplb';
import { closeClients, control, ovhClient, ovhIplbServers } from '../support/dns-testenv';
import { exclusive } from '../support/exclusive';
import { testenv } from '../support/testenv';

exclusive('ovh-simulator'); // faults, resets and clock skew are global to the simulator

/** The OVHcloud IPLB load balancer driver against the OVH API simulator (farm server edits + refresh task). */

function iplb(): OvhIplb {
  return new OvhIplb(
    { serviceName: testenv('OVH_IPLB_SERVICE'), farmId: Number(testenv('OVH_IPLB_FARM')), servers: ovhIplbServers(), taskPollMs: 50 },
    { ovh: ovhClient({ system: 'lb ovh-iplb' }) },
  );
}
const farmPath = () => `/ipLoadbalancing/${testenv('OVH_IPLB_SERVICE')}/http/farm/${testenv('OVH_IPLB_FARM')}/server`;

beforeEach(() => control('OVH_CONTROL', 'reset', { scope: 'iplb' }));
afterAll(closeClients);

describe('OVH IPLB load balancer', () => {
  it('starts with SBG serving, as after a failover', async () => {
    const servers = await iplb().servers();
    expect(servers.map((s) => [s.site, s.state])).toEqual([['sbg', 'ready'], ['rbx', 'maint']]);
  });

  it('switches traffic to RBX and verifies it by reading the farm back', async () => {
    const lb = iplb();
    await lb.switchTo('rbx');
    const verification = await lb.verify('rbx');
    expect(verification.ok).toBe(true);
    expect(verification.observed).toEqual(['sbg server 2002: maint weight 1', 'rbx server 1001: ready weight 1']);
  });

  it('does not verify while an edit waits for its refresh', async () => {
    const { sbg, rbx } = ovhIplbServers();
    const ovh = ovhClient({ system: 'lb ovh-iplb' });
    await ovh.call('PUT', `${farmPath()}/${rbx}`, { status: 'active' });
    await ovh.call('PUT', `${farmPath()}/${sbg}`, { status: 'inactive' });
    const verification = await iplb().verify('rbx');
    expect(verification.ok).toBe(false);
    expect(verification.observed).toContain('changes pending: not applied until the next refresh');
  });

  it('finishes a switch an earlier run left unrefreshed', async () => {
    const { sbg, rbx } = ovhIplbServers();
    const ovh = ovhClient({ system: 'lb ovh-iplb' });
    await ovh.call('PUT', `${farmPath()}/${rbx}`, { status: 'active' });
    await ovh.call('PUT', `${farmPath()}/${sbg}`, { status: 'inactive' });
    await iplb().switchTo('rbx');
    expect((await iplb().verify('rbx')).ok).toBe(true);
  });

  it('sets a weight with the state', async () => {
    const lb = iplb();
    await lb.setServer('rbx', 'ready', 5);
    expect((await lb.servers()).find((s) => s.site === 'rbx')).toMatchObject({ state: 'ready', weight: 5 });
  });

  it('refuses a drain, which IPLB does not have', async () => {
    await expect(iplb().setServer('sbg', 'drain')).rejects.toThrow(PermanentError);
  });

  it('refuses a site it has no server for', async () => {
    await expect(iplb().switchTo('gra')).rejects.toThrow(/no farm server for site gra/);
  });
});
