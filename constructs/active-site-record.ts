import { Construct } from 'constructs';
import { DnsProvider } from '@cdktf/provider-dns/lib/provider';
import { ARecordSet } from '@cdktf/provider-dns/lib/a-record-set';
import type { TerraformResource } from 'cdktf';
import { ConstructPropError } from './errors';
import { activeSiteIpExpression, type FailbackVariables } from './failback-expressions';
import { AwsProvider, AwsRoute53Record } from './l1/aws';
import { OvhDomainZoneRecord, OvhProvider } from './l1/ovh';

/** OVHcloud DNS. Secrets come from OVH_APPLICATION_SECRET and OVH_CONSUMER_KEY in the deploy environment. */
export interface OvhRecordBackend {
  readonly provider: 'ovh';
  readonly endpoint: string;
  readonly applicationKey: string;
}
/** Route 53. Credentials come from the standard AWS environment. */
export interface Route53RecordBackend {
  readonly provider: 'route53';
  readonly hostedZoneId: string;
  readonly region: string;
  /** @default - the AWS endpoint */
  readonly endpoint?: string;
}
/** A server accepting RFC 2136 updates signed with TSIG. */
export interface Rfc2136RecordBackend {
  readonly provider: 'rfc2136';
  readonly server: string;
  readonly port: number;
  readonly tsigKeyName: string;
  readonly tsigAlgorithm: 'hmac-sha256' | 'hmac-sha512';
  /** A reference to a sensitive Terraform variable: the secret never appears in the synthesized JSON. */
  readonly tsigSecret: string;
}
export type ActiveSiteRecordBackend = OvhRecordBackend | Route53RecordBackend | Rfc2136RecordBackend;

export interface ActiveSiteRecordProps {
  readonly backend: ActiveSiteRecordBackend;
  /** The DNS zone, such as example.com. */
  readonly zone: string;
  /** The record's name relative to the zone; `@` for the apex. */
  readonly recordName: string;
  /** @default 60 (the failback's RTO budget assumes caches follow within a minute) */
  readonly ttlSeconds?: number;
  /** Every site's public IP; the record points at the one named by `var.active_site`. */
  readonly sitePublicIps: Readonly<Record<string, string>>;
  readonly failback: FailbackVariables;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** The A record of the active site: target = the public IP of `var.active_site`, whatever the DNS backend. */
export class ActiveSiteRecord extends Construct {
  readonly sitePublicIps: Readonly<Record<string, string>>;
  /** The Terraform expression the record targets (kept for policy checks). */
  readonly targetExpression: string;
  readonly resource: TerraformResource;

  constructor(scope: Construct, id: string, props: ActiveSiteRecordProps) {
    super(scope, id);
    const ttl = props.ttlSeconds ?? 60;
    validateProps(this, props, ttl);
    this.sitePublicIps = { ...props.sitePublicIps };
    this.targetExpression = activeSiteIpExpression(props.failback, props.sitePublicIps);
    this.resource = this.declareRecord(props, ttl);
  }

  private declareRecord(props: ActiveSiteRecordProps, ttl: number): TerraformResource {
    const { backend, zone, recordName } = props;
    const apex = recordName === '@';
    switch (backend.provider) {
      case 'ovh': {
        const provider = new OvhProvider(this, 'Provider', { endpoint: backend.endpoint, applicationKey: backend.applicationKey });
        return new OvhDomainZoneRecord(this, 'Default', { provider, zone, subdomain: apex ? '' : recordName, fieldtype: 'A', ttl, target: this.targetExpression });
      }
      case 'route53': {
        const provider = new AwsProvider(this, 'Provider', { region: backend.region, route53Endpoint: backend.endpoint });
        const name = apex ? zone : `${recordName}.${zone}`;
        return new AwsRoute53Record(this, 'Default', { provider, zoneId: backend.hostedZoneId, name, type: 'A', ttl, records: [this.targetExpression] });
      }
      case 'rfc2136': {
        const provider = new DnsProvider(this, 'Provider', {
          update: [{ server: backend.server, port: backend.port, keyName: ensureDot(backend.tsigKeyName), keyAlgorithm: backend.tsigAlgorithm, keySecret: backend.tsigSecret }],
        });
        return new ARecordSet(this, 'Default', { provider, zone: ensureDot(zone), name: apex ? undefined : recordName, addresses: [this.targetExpression], ttl });
      }
    }
  }
}

/** hashicorp/dns wants fully qualified names with the trailing dot. */
function ensureDot(name: string): string {
  return name.endsWith('.') ? name : `${name}.`;
}

function validateProps(scope: Construct, props: ActiveSiteRecordProps, ttl: number): void {
  if (!Number.isInteger(ttl) || (ttl !== 0 && ttl < 60) || ttl > 86400) throw new ConstructPropError(scope, 'ttlSeconds', ttl, 'must be 0 or between 60 and 86400 (OVH refuses other values)');
  const sites = Object.entries(props.sitePublicIps);
  if (sites.length < 2) throw new ConstructPropError(scope, 'sitePublicIps', props.sitePublicIps, 'must map both sites to their public IP');
  for (const [site, ip] of sites) {
    if (!IPV4.test(ip)) throw new ConstructPropError(scope, `sitePublicIps.${site}`, ip, 'must be an IPv4 address such as 203.0.113.10');
  }
  if (!/^([a-z0-9-]+\.)+[a-z]{2,}\.?$/.test(props.zone)) throw new ConstructPropError(scope, 'zone', props.zone, 'must be a DNS zone such as example.com');
}
