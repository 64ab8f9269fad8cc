import { dnsSchema } from '../../topology/schema';
import { dnsProviderFor } from '../../hooks/drivers/dns/from-topology';
import { pointTo } from '../../hooks/drivers/dns/index';
import { nameservers, ovhTopologyCredentials, RBX_IP, uniqueName, visible } from '../support/dns-testenv';
import { exclusive } from '../support/exclusive';
import { testenv } from '../support/testenv';

exclusive('ovh-simulator'); // faults, resets and clock skew are global to the simulator

/** A topology's traffic.dns becomes a working provider, its secret read from the environment. */

describe('DNS provider from the topology', () => {
  it('switches a record through the RFC 2136 backend a topology declares', async () => {
    const [host, port] = testenv('DNS_PRIMARY').split(':');
    const dns = dnsSchema.parse({
      provider: 'rfc2136',
      zone: testenv('DNS_ZONE'),
      record: 'app',
      server: { host, port: Number(port) },
      tsigKeyName: testenv('TSIG_NAME'),
      tsigSecret: { env: 'PRA_TESTENV_TSIG_SECRET' },
      nameservers: nameservers(),
    });
    const provider = dnsProviderFor(dns);
    const name = uniqueName('topo');
    await provider.applyChanges(pointTo(name, RBX_IP, dns.ttlSeconds));
    expect((await visible(provider, { name, addresses: [RBX_IP] })).ok).toBe(true);
  });

  it('builds the OVH backend with its endpoint CA from the topology', async () => {
    const dns = dnsSchema.parse({
      provider: 'ovh',
      zone: testenv('DNS_ZONE'),
      record: 'app',
      ...ovhTopologyCredentials(),
      nameservers: nameservers(),
    });
    expect(await dnsProviderFor(dns).records('app')).toHaveLength(1);
  });
});
