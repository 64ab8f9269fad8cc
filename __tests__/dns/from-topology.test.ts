import { dnsSchema } from '../../topology/schema';
import { dnsProviderFor } from '../../hooks/drivers/dns/from-topology';
import { pointTo } from '../../hooks/drivers/dns/index';
import { env, nameservers, RBX_IP, uniqueName, visible } from '../support/dns-testenv';
import { exclusive } from '../support/exclusive';

exclusive('ovh-simulator'); // faults, resets and clock skew are global to the simulator

/** A topology's traffic.dns becomes a working provider, its secret read from the environment. */

describe('DNS provider from the topology', () => {
  it('switches a record through the RFC 2136 backend a topology declares', async () => {
    const [host, port] = env('PRA_TESTENV_DNS_PRIMARY').split(':');
    const dns = dnsSchema.parse({
      provider: 'rfc2136',
      zone: env('PRA_TESTENV_DNS_ZONE'),
      record: 'app',
      server: { host, port: Number(port) },
      tsigKeyName: env('PRA_TESTENV_TSIG_NAME'),
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
      zone: env('PRA_TESTENV_DNS_ZONE'),
      record: 'app',
      endpoint: env('PRA_TESTENV_OVH_ENDPOINT'),
      caFile: env('PRA_TESTENV_CA'),
      applicationKey: env('PRA_TESTENV_OVH_APP_KEY'),
      applicationSecret: { env: 'PRA_TESTENV_OVH_APP_SECRET' },
      consumerKey: { env: 'PRA_TESTENV_OVH_CONSUMER_KEY' },
      nameservers: nameservers(),
    });
    expect(await dnsProviderFor(dns).records('app')).toHaveLength(1);
  });
});
