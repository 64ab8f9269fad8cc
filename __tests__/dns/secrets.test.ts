import { inspect } from 'node:util';
import { pointTo } from '../../hooks/drivers/dns/index';
import { closeClients, ovhClient, ovhDns, RBX_IP, rfc2136Dns, route53Dns, uniqueName } from '../support/dns-testenv';
import { testenv } from '../support/testenv';
import { Exposure } from '../support/secret-scan';
import { exclusive } from '../support/exclusive';

exclusive('ovh-simulator'); // faults, resets and clock skew are global to the simulator

/** No DNS driver lets a credential out: not in logs, errors (message, JSON, inspect, stack) or the driver itself. */

const secrets = () => [testenv('OVH_APP_SECRET'), testenv('OVH_CONSUMER_KEY'), testenv('TSIG_SECRET'), testenv('R53_SECRET_ACCESS_KEY')];
const WRONG = 'wrong-secret-value-0123456789abcdef';

afterAll(closeClients);

describe('DNS drivers and secrets', () => {
  it('never print a credential while switching, reading and verifying', async () => {
    const exposure = new Exposure();
    for (const dns of [ovhDns(ovhClient(), exposure.log), rfc2136Dns({ log: exposure.log }), route53Dns({ log: exposure.log })]) {
      const name = uniqueName('sec');
      await dns.applyChanges(pointTo(name, RBX_IP, 60));
      exposure.add(await dns.records(name));
      exposure.add(await dns.verify({ name, addresses: [RBX_IP] }));
      exposure.add(inspect(dns, { depth: 6 }));
    }
    expect(exposure.lines.length).toBeGreaterThan(0);
    expect(exposure.leaked(secrets())).toEqual([]);
  });

  it('never print a credential in the errors of refused requests', async () => {
    const exposure = new Exposure();
    const errors = await Promise.all(
      [
        ovhDns(ovhClient({ applicationSecret: WRONG }), exposure.log).applyChanges(pointTo(uniqueName('sec'), RBX_IP, 60)),
        rfc2136Dns({ secret: Buffer.from(WRONG).toString('base64'), log: exposure.log }).applyChanges(pointTo(uniqueName('sec'), RBX_IP, 60)),
        route53Dns({ secretAccessKey: WRONG, log: exposure.log }).records('app'),
      ].map((attempt) => attempt.then(() => new Error('expected a refusal'), (e: unknown) => e)),
    );
    errors.forEach((e) => exposure.addError(e));
    expect(exposure.lines.join('\n')).not.toContain('expected a refusal');
    expect(exposure.leaked([...secrets(), WRONG])).toEqual([]);
  });
});
