import type { Construct } from 'constructs';
import { ProtectionGroup } from '../constructs/protection-group';
import { vpgSpecs } from '../topology/vpg-spec';
import { PraStack, type PraStackProps } from './pra-stack';

/** The Zerto VPGs, one construct each (id = VPG name), reconciled by the engine from the manifest. */
export class ProtectionStack extends PraStack {
  readonly groups: readonly ProtectionGroup[];

  constructor(scope: Construct, id: string, props: PraStackProps) {
    super(scope, id, props);
    this.groups = vpgSpecs(props.topology).map((spec) => new ProtectionGroup(this, spec.name, { spec }));
  }
}
