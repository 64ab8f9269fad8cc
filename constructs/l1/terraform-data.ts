import { TerraformResource } from 'cdktf';
import type { Construct } from 'constructs';

/**
 * The built-in `terraform_data` resource. cdktf's own DataResource adds a validation that runs
 * `terraform version` in a child process per resource at synth time: it fails on machines without
 * terraform (CI) and costs ~60 ms per VPG. This binding synthesizes the same JSON without it.
 */
export class TerraformData extends TerraformResource {
  constructor(
    scope: Construct,
    id: string,
    readonly input: Readonly<Record<string, unknown>>,
  ) {
    super(scope, id, { terraformResourceType: 'terraform_data' });
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return { input: this.input };
  }
}
