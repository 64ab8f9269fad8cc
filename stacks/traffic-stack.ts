import type { Construct } from 'constructs';
import { ActiveSiteRecord, type ActiveSiteRecordBackend } from '../constructs/active-site-record';
import type { Dns } from '../topology/schema';
import { PraStack, type PraStackProps } from './pra-stack';
import { declareSecretVariable } from './variables';

export interface TrafficStackProps extends PraStackProps {
  readonly dns: Dns;
}

/** The DNS record of the active site. A load balancer has no Terraform resource: the engine drives it. */
export class TrafficStack extends PraStack {
  readonly record: ActiveSiteRecord;

  constructor(scope: Construct, id: string, props: TrafficStackProps) {
    super(scope, id, props);
    const { dns, topology } = props;
    this.record = new ActiveSiteRecord(this, 'active-site-record', {
      backend: this.backendFor(dns),
      zone: dns.zone,
      recordName: dns.record,
      ttlSeconds: dns.ttlSeconds,
      sitePublicIps: Object.fromEntries(topology.sites.map((s) => [s.name, s.publicIp])),
      failback: this.failback,
    });
  }

  private backendFor(dns: Dns): ActiveSiteRecordBackend {
    switch (dns.provider) {
      case 'ovh':
        return { provider: 'ovh', endpoint: dns.endpoint, applicationKey: dns.applicationKey };
      case 'route53':
        return { provider: 'route53', hostedZoneId: dns.hostedZoneId, region: dns.region, endpoint: dns.endpoint };
      case 'rfc2136': {
        const secret = declareSecretVariable(this, 'dns_tsig_secret', `base64 secret of TSIG key ${dns.tsigKeyName}`);
        return { provider: 'rfc2136', server: dns.server.host, port: dns.server.port, tsigKeyName: dns.tsigKeyName, tsigAlgorithm: dns.tsigAlgorithm, tsigSecret: secret.stringValue };
      }
    }
  }
}
