import { TerraformProvider, TerraformResource, type TerraformMetaArguments } from 'cdktf';
import type { Construct } from 'constructs';

/**
 * Hand-written L1 bindings for the `ovh/ovh` provider: no prebuilt cdktf package exists and `cdktf get`
 * needs registry access. Deliberately dumb: attributes in, snake_case out.
 */
export interface OvhProviderConfig {
  /** `ovh-eu`, `ovh-ca`, ... or an API URL. */
  readonly endpoint: string;
  /** Secrets stay out of the synthesized JSON: the provider reads OVH_APPLICATION_SECRET and OVH_CONSUMER_KEY. */
  readonly applicationKey: string;
}

export class OvhProvider extends TerraformProvider {
  constructor(
    scope: Construct,
    id: string,
    readonly config: OvhProviderConfig,
  ) {
    super(scope, id, {
      terraformResourceType: 'ovh',
      terraformGeneratorMetadata: { providerName: 'ovh', providerVersionConstraint: '~> 1.0' },
      terraformProviderSource: 'ovh/ovh',
    });
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return { endpoint: this.config.endpoint, application_key: this.config.applicationKey };
  }
}

export interface OvhDomainZoneRecordConfig extends TerraformMetaArguments {
  readonly zone: string;
  /** Relative name; empty for the apex. */
  readonly subdomain: string;
  readonly fieldtype: string;
  readonly ttl: number;
  readonly target: string;
}

export class OvhDomainZoneRecord extends TerraformResource {
  static readonly tfResourceType = 'ovh_domain_zone_record';

  constructor(
    scope: Construct,
    id: string,
    readonly config: OvhDomainZoneRecordConfig,
  ) {
    super(scope, id, { terraformResourceType: OvhDomainZoneRecord.tfResourceType, provider: config.provider, dependsOn: config.dependsOn, lifecycle: config.lifecycle });
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    const { zone, subdomain, fieldtype, ttl, target } = this.config;
    return { zone, subdomain, fieldtype, ttl, target };
  }
}
