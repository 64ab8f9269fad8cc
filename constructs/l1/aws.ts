import { TerraformProvider, TerraformResource, type TerraformMetaArguments } from 'cdktf';
import type { Construct } from 'constructs';

/**
 * Hand-written L1 bindings for the two pieces of `hashicorp/aws` we use: the prebuilt package is ~390 MB
 * for one resource type. Credentials come from the standard AWS environment (AWS_ACCESS_KEY_ID, ...).
 */
export interface AwsProviderConfig {
  readonly region: string;
  /** A Route 53-compatible API endpoint (tests, private clouds); the AWS default when absent. */
  readonly route53Endpoint?: string;
}

export class AwsProvider extends TerraformProvider {
  constructor(
    scope: Construct,
    id: string,
    readonly config: AwsProviderConfig,
  ) {
    super(scope, id, {
      terraformResourceType: 'aws',
      terraformGeneratorMetadata: { providerName: 'aws', providerVersionConstraint: '~> 5.0' },
      terraformProviderSource: 'hashicorp/aws',
    });
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    const endpoint = this.config.route53Endpoint;
    return { region: this.config.region, ...(endpoint ? { endpoints: [{ route53: endpoint }] } : {}) };
  }
}

export interface AwsRoute53RecordConfig extends TerraformMetaArguments {
  readonly zoneId: string;
  /** Fully qualified record name. */
  readonly name: string;
  readonly type: string;
  readonly ttl: number;
  readonly records: readonly string[];
}

export class AwsRoute53Record extends TerraformResource {
  static readonly tfResourceType = 'aws_route53_record';

  constructor(
    scope: Construct,
    id: string,
    readonly config: AwsRoute53RecordConfig,
  ) {
    super(scope, id, { terraformResourceType: AwsRoute53Record.tfResourceType, provider: config.provider, dependsOn: config.dependsOn, lifecycle: config.lifecycle });
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    const { zoneId, name, type, ttl, records } = this.config;
    return { zone_id: zoneId, name, type, ttl, records: [...records] };
  }
}
