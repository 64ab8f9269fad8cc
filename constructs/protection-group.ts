import { Construct } from 'constructs';
import type { VpgSpec } from '../topology/vpg-spec';
import { ConstructPropError } from './errors';
import { TerraformData } from './l1/terraform-data';

export interface ProtectionGroupProps {
  /** The desired VPG; the engine reconciles it through the Zerto API (`pra vpg sync`). */
  readonly spec: VpgSpec;
}

/**
 * A Zerto VPG. No Terraform provider manages VPGs, so the spec is synthesized as a `terraform_data` input
 * (a VPG change shows in `cdktf diff` and in PR review) and collected into `vpg-manifest.json` for the engine.
 */
export class ProtectionGroup extends Construct {
  readonly spec: VpgSpec;

  constructor(scope: Construct, id: string, props: ProtectionGroupProps) {
    super(scope, id);
    const { spec } = props;
    if (spec.vms.length === 0) throw new ConstructPropError(this, 'spec.vms', spec.vms, 'must list at least one VM of the source site');
    if (spec.sourceSite === spec.targetSite) throw new ConstructPropError(this, 'spec.targetSite', spec.targetSite, `must differ from sourceSite ${spec.sourceSite}: a VPG replicates to the other site`);
    if (!Number.isInteger(spec.rpoTargetSeconds) || spec.rpoTargetSeconds < 10) throw new ConstructPropError(this, 'spec.rpoTargetSeconds', spec.rpoTargetSeconds, 'must be a whole number of seconds, at least 10');
    this.spec = spec;
    new TerraformData(this, 'Default', dropUndefined(spec) as unknown as Record<string, unknown>);
  }

  /** Every VPG declared under `scope`, in tree order. */
  static allIn(scope: Construct): ProtectionGroup[] {
    return scope.node.findAll().filter((c): c is ProtectionGroup => c instanceof ProtectionGroup);
  }
}

/** Terraform JSON has no `undefined`: an absent optional field must not become a spurious diff. */
function dropUndefined<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
