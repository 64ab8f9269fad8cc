import { AuthError } from '../../hooks/drivers/common/errors';
import { pointTo } from '../../hooks/drivers/dns/index';
import { control, RBX_IP, route53Dns, SBG_IP, uniqueName, visible } from '../support/dns-testenv';
import { testenv } from '../support/testenv';
import { exclusive } from '../support/exclusive';

/** The Route 53 backend through the real AWS SDK against the REST-XML fake, which publishes INSYNC changes into BIND. */

const r53Control = <T = unknown>(path: string, body: unknown = {}) => control<T>('R53_CONTROL', path, body);

/** Long enough for the waiter (first delay 0.2 s) to see PENDING, short enough for a quick suite. */
const INSYNC_AFTER_MS = 600;
exclusive('route53-simulator'); // resets and faults are global to the simulator (the drill zone's too)
beforeAll(async () => {
  await r53Control('reset', { zones: [testenv('DNS_ZONE'), testenv('DNS_LAG_ZONE')] }); // not the drill zone: a drill may be running
  await r53Control('faults', { insyncAfterMs: INSYNC_AFTER_MS });
});
afterEach(() => r53Control('faults', { insyncAfterMs: INSYNC_AFTER_MS }));

describe('Route 53 DNS backend', () => {
  it('switches a record and every nameserver answers the new address once the change is INSYNC', async () => {
    const dns = route53Dns();
    const name = uniqueName('r53');
    await dns.applyChanges(pointTo(name, RBX_IP, 60));
    // INSYNC means published on the primary; the secondary follows by NOTIFY + IXFR.
    const verification = await visible(dns, { name, addresses: [RBX_IP] });
    expect(verification.ok).toBe(true);
  });

  it('waits for the change to go from PENDING to INSYNC', async () => {
    const dns = route53Dns();
    const before = Object.keys(await r53Control<Record<string, string[]>>('changes'));
    await dns.applyChanges(pointTo(uniqueName('r53'), RBX_IP, 60));
    const changes = await r53Control<Record<string, string[]>>('changes');
    const [served] = Object.entries(changes).filter(([id]) => !before.includes(id)).map(([, statuses]) => statuses);
    expect(served[0]).toBe('PENDING');
    expect(served[served.length - 1]).toBe('INSYNC');
  });

  it('reads the record set back through the API', async () => {
    const dns = route53Dns();
    const name = uniqueName('r53');
    await dns.applyChanges(pointTo(name, SBG_IP, 300));
    expect(await dns.records(name)).toEqual([{ name, type: 'A', ttlSeconds: 300, targets: [SBG_IP] }]);
  });

  it('deletes a record set, reading its exact values first', async () => {
    const dns = route53Dns();
    const name = uniqueName('r53');
    await dns.applyChanges(pointTo(name, SBG_IP, 60));
    await dns.applyChanges({ delete: [{ name, type: 'A', ttlSeconds: 0, targets: [] }] });
    expect(await dns.records(name)).toEqual([]);
    expect((await visible(dns, { name, addresses: [] })).ok).toBe(true);
  });

  it('refuses a request signed with a wrong secret key with an AuthError', async () => {
    await expect(route53Dns({ secretAccessKey: 'wrong/secret/key/0000000000000000000000' }).records('app')).rejects.toThrow(AuthError);
  });

  it('retries through transient server errors (the SDK retries 5xx)', async () => {
    const dns = route53Dns();
    const name = uniqueName('r53');
    await r53Control('faults', { failCount: 2, failStatus: 503, pathPrefix: '/2013-04-01/hostedzone', insyncAfterMs: 200 });
    await dns.applyChanges(pointTo(name, RBX_IP, 60));
    expect((await visible(dns, { name, addresses: [RBX_IP] })).ok).toBe(true);
  });
});
