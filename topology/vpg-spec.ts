import type { Topology } from './schema';

/**
 * The desired state of one Zerto VPG, as the protection stack declares it and `pra vpg sync` reconciles it.
 * No Terraform provider manages VPGs, so this manifest is the contract between the IaC and the engine.
 */
export interface VpgSpec {
  readonly name: string;
  readonly sourceSite: string;
  readonly targetSite: string;
  /** VM names on the source site, in declaration order. */
  readonly vms: readonly string[];
  readonly rpoTargetSeconds: number;
  readonly journalHours: number;
  readonly recovery: 'move' | 'failover';
  /** Where the recovered VMs land. */
  readonly recoverySite: {
    readonly cluster: string;
    readonly resourcePool?: string;
    readonly datastore: string;
    readonly network: string;
    readonly testNetwork?: string;
    readonly folder?: string;
  };
}

/** The manifest file written next to the synthesized stacks (`cdktf.out/vpg-manifest.json`). */
export const VPG_MANIFEST_FILE = 'vpg-manifest.json';

export interface VpgManifest {
  readonly topology: string;
  readonly vpgs: readonly VpgSpec[];
}

export function vpgSpecs(topology: Topology): VpgSpec[] {
  return topology.vpgs.map((vpg) => {
    const target = topology.sites.find((s) => s.name === vpg.target);
    if (!target) throw new Error(`VPG ${vpg.name}: target site ${vpg.target} is not declared`);
    return {
      name: vpg.name,
      sourceSite: vpg.source,
      targetSite: vpg.target,
      vms: [...vpg.vms],
      rpoTargetSeconds: vpg.rpoTargetSeconds,
      journalHours: vpg.journalHours,
      recovery: vpg.recovery,
      recoverySite: { cluster: target.cluster, resourcePool: target.resourcePool, datastore: target.datastore, network: target.network, testNetwork: target.testNetwork, folder: target.folder },
    };
  });
}
