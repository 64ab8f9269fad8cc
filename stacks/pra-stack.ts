import { LocalBackend, S3Backend, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import type { FailbackVariables } from '../constructs/failback-expressions';
import type { FailbackState } from '../topology/state';
import type { Topology } from '../topology/schema';
import { declareFailbackVariables } from './variables';

export interface PraStackProps {
  readonly topology: Topology;
  readonly state: FailbackState;
}

/** What every stack of the app shares: the three failback variables and the state backend chosen in the topology. */
export class PraStack extends TerraformStack {
  readonly failback: FailbackVariables;
  readonly topology: Topology;

  constructor(scope: Construct, id: string, props: PraStackProps) {
    super(scope, id);
    this.topology = props.topology;
    this.failback = declareFailbackVariables(this, props.topology.sites.map((s) => s.name), props.state);
    configureBackend(this, id, props.topology);
  }
}

function configureBackend(stack: TerraformStack, id: string, topology: Topology): void {
  const backend = topology.terraformBackend;
  if (backend.type === 'local') {
    // Relative to the stack's working directory cdktf.out/stacks/<id>: the state files sit in the project root.
    new LocalBackend(stack, { path: `../../../terraform.${id}.tfstate` });
    return;
  }
  // OVHcloud Object Storage speaks S3 but is not AWS: no region list, no STS, no account id, no checksums.
  // Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in the deploy environment.
  const s3 = new S3Backend(stack, {
    bucket: backend.bucket,
    key: `${backend.keyPrefix}/${topology.name}/${id}.tfstate`,
    region: backend.region,
    endpoints: { s3: backend.endpoint },
    skipCredentialsValidation: true,
    skipRegionValidation: true,
    skipRequestingAccountId: true,
    skipMetadataApiCheck: true,
    usePathStyle: true,
  });
  s3.addOverride('skip_s3_checksum', true);
}
