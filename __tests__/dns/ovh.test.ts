import { execFileSync } from 'node:child_process';
import { AuthError } from '../../hooks/drivers/common/errors';
import { HttpClient } from '../../hooks/drivers/common/http';
import { pointTo } from '../../hooks/drivers/dns/index';
import { ovhSignature } from '../../hooks/drivers/ovh/client';
import { closeClients, control, ovhClient, ovhDns, RBX_IP, SBG_IP, uniqueName, visible } from '../support/dns-testenv';
import { testenv } from '../support/testenv';
import { exclusive } from '../support/exclusive';

exclusive('ovh-simulator'); // faults, resets and clock skew are global to the simulator

/** The OVHcloud DNS backend against the OVH API simulator, which publishes refreshed zones into BIND. */

const zonePath = () => `/domain/zone/${testenv('DNS_ZONE')}`;
const ovhControl = (path: string, body: unknown = {}) => control('OVH_CONTROL', path, body);

/** A record created (and published) at SBG through the API, as an existing zone holds it. */
async function anExistingRecord(): Promise<string> {
  const name = uniqueName('ovh');
  await ovhDns().applyChanges(pointTo(name, SBG_IP, 60));
  return name;
}

beforeAll(() => ovhControl('reset', { scope: 'dns', zones: [testenv('DNS_ZONE'), testenv('DNS_LAG_ZONE')] })); // not the drill zone: a drill may be running
afterEach(() => ovhControl('faults', { clockSkewSeconds: 0, refreshMs: 200 }));
afterAll(closeClients);

describe('OVH API signature', () => {
  it('follows the documented formula', () => {
    const reference = execFileSync('sh', ['-c', 'printf "%s" "AS+CK+GET+https://eu.api.ovh.com/1.0/auth/details++1700000000" | sha1sum'], { encoding: 'utf8' }).split(' ')[0];
    expect(ovhSignature('AS', 'CK', 'GET', 'https://eu.api.ovh.com/1.0/auth/details', '', 1700000000)).toBe(`$1$${reference}`);
  });

  it('refuses a request signed with a wrong application secret with an AuthError', async () => {
    await expect(ovhDns(ovhClient({ applicationSecret: 'not-the-secret' })).records('app')).rejects.toThrow(AuthError);
  });

  it('refuses a request whose timestamp is skewed beyond the bound', async () => {
    const endpoint = testenv('OVH_ENDPOINT');
    const url = `${endpoint}${zonePath()}/record`;
    const timestamp = Math.floor(Date.now() / 1000) - 600;
    const http = new HttpClient('test', endpoint, { caFile: testenv('CA') });
    const res = await http.request({
      method: 'GET',
      url,
      headers: {
        'X-Ovh-Application': testenv('OVH_APP_KEY'),
        'X-Ovh-Consumer': testenv('OVH_CONSUMER_KEY'),
        'X-Ovh-Timestamp': String(timestamp),
        'X-Ovh-Signature': ovhSignature(testenv('OVH_APP_SECRET'), testenv('OVH_CONSUMER_KEY'), 'GET', url, '', timestamp),
      },
    });
    http.close();
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).errorCode).toBe('QUERY_TIME_OUT');
  });

  it('signs against the server clock when the local clock is an hour off', async () => {
    const skewed = ovhClient({ clock: () => Date.now() + 3600_000 });
    expect(await ovhDns(skewed).records('app')).toEqual([{ name: 'app', type: 'A', ttlSeconds: 60, targets: [SBG_IP] }]);
  });

  it('resynchronises when the server clock moves after the first call', async () => {
    const dns = ovhDns();
    await dns.records('app');
    await ovhControl('faults', { clockSkewSeconds: 900 });
    expect(await dns.records('app')).toHaveLength(1);
  });
});

describe('OVH DNS backend', () => {
  it('switches a record and every nameserver answers the new address', async () => {
    const dns = ovhDns();
    const name = await anExistingRecord();
    await dns.applyChanges(pointTo(name, RBX_IP, 60));
    const verification = await visible(dns, { name, addresses: [RBX_IP] });
    expect(verification.ok).toBe(true);
    expect(verification.answers).toHaveLength(2);
  });

  it('edits the existing record in place rather than adding one', async () => {
    const dns = ovhDns();
    const name = await anExistingRecord();
    const ovh = ovhClient();
    const before = await ovh.call<number[]>('GET', `${zonePath()}/record?fieldType=A&subDomain=${name}`);
    await dns.applyChanges(pointTo(name, RBX_IP, 60));
    expect(await ovh.call<number[]>('GET', `${zonePath()}/record?fieldType=A&subDomain=${name}`)).toEqual(before);
  });

  it('publishes nothing until the zone is refreshed', async () => {
    const dns = ovhDns();
    const name = await anExistingRecord();
    const ovh = ovhClient();
    const [id] = await ovh.call<number[]>('GET', `${zonePath()}/record?fieldType=A&subDomain=${name}`);
    await ovh.call('PUT', `${zonePath()}/record/${id}`, { target: RBX_IP, ttl: 60 });
    await new Promise((r) => setTimeout(r, 500)); // longer than a refresh + transfer takes here
    const unrefreshed = await dns.verify({ name, addresses: [RBX_IP] });
    expect(unrefreshed.answers.map((a) => a.addresses)).toEqual([[SBG_IP], [SBG_IP]]);
    await ovh.call('POST', `${zonePath()}/refresh`);
    expect((await visible(dns, { name, addresses: [RBX_IP] })).ok).toBe(true);
  });

  it('still switches when the record ids were renumbered between two switches', async () => {
    const dns = ovhDns();
    const name = await anExistingRecord();
    await dns.applyChanges(pointTo(name, RBX_IP, 60));
    await ovhControl('renumber', { zone: testenv('DNS_ZONE') });
    await dns.applyChanges(pointTo(name, SBG_IP, 60));
    expect((await visible(dns, { name, addresses: [SBG_IP] })).ok).toBe(true);
  });

  it('retries a refresh that collides with one already running', async () => {
    const dns = ovhDns();
    const name = await anExistingRecord();
    await ovhControl('faults', { refreshMs: 400 });
    const { refreshConflicts: before } = await control<{ refreshConflicts: number }>('OVH_CONTROL', 'stats');
    const other = ovhClient().call('POST', `${zonePath()}/refresh`);
    await new Promise((r) => setTimeout(r, 50));
    await dns.applyChanges(pointTo(name, RBX_IP, 60));
    await other;
    const { refreshConflicts: after } = await control<{ refreshConflicts: number }>('OVH_CONTROL', 'stats');
    expect(after).toBeGreaterThan(before);
    expect((await visible(dns, { name, addresses: [RBX_IP] })).ok).toBe(true);
  });

  it('retries through transient server errors', async () => {
    const dns = ovhDns();
    const name = await anExistingRecord();
    await ovhControl('faults', { failCount: 2, failStatus: 503, pathPrefix: '/domain' });
    await dns.applyChanges(pointTo(name, RBX_IP, 60));
    expect((await visible(dns, { name, addresses: [RBX_IP] })).ok).toBe(true);
  });

  it('creates the record when the name has none', async () => {
    const dns = ovhDns();
    const name = uniqueName('ovh');
    await dns.applyChanges(pointTo(name, RBX_IP, 60));
    expect(await dns.records(name)).toEqual([{ name, type: 'A', ttlSeconds: 60, targets: [RBX_IP] }]);
  });
});
