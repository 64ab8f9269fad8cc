import type { Dns } from '../../../topology/schema';
import { resolveSecret } from '../common/secret';
import { ovhClientFromTopology } from '../ovh/from-topology';
import type { DnsProvider } from './index';
import { OvhDns } from './ovh';
import { Rfc2136Dns } from './rfc2136';
import { Route53Dns, route53Client } from './route53';

/**
 * The DNS provider a topology's `traffic.dns` declares, with its secrets resolved (env or file) as `Secret`s.
 * Verification asks `nameservers` when listed, else the zone's NS records.
 */
export function dnsProviderFor(dns: Dns, deps: { readonly env?: NodeJS.ProcessEnv; readonly log?: (line: string) => void } = {}): DnsProvider {
  const secret = (ref: Parameters<typeof resolveSecret>[0], what: string) => resolveSecret(ref, `traffic.dns.${what}`, deps.env);
  const nameservers = dns.nameservers;
  switch (dns.provider) {
    case 'ovh':
      return new OvhDns({ zone: dns.zone, verification: { nameservers } }, { ovh: ovhClientFromTopology('dns ovh', 'traffic.dns', dns, deps.env), log: deps.log });
    case 'route53': {
      const config = {
        zone: dns.zone,
        hostedZoneId: dns.hostedZoneId,
        region: dns.region,
        endpoint: dns.endpoint,
        insecure: dns.insecure,
        caFile: dns.caFile,
        credentials:
          dns.accessKeyId && dns.secretAccessKey
            ? { accessKeyId: secret(dns.accessKeyId, 'accessKeyId'), secretAccessKey: secret(dns.secretAccessKey, 'secretAccessKey') }
            : undefined,
        verification: { nameservers },
      };
      return new Route53Dns(config, { client: route53Client(config), log: deps.log });
    }
    case 'rfc2136':
      return new Rfc2136Dns(
        { zone: dns.zone, server: dns.server, key: { name: dns.tsigKeyName, algorithm: dns.tsigAlgorithm, secret: secret(dns.tsigSecret, 'tsigSecret') }, nameservers },
        { log: deps.log },
      );
  }
}
