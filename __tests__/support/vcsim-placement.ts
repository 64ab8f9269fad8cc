import type { VsphereConfig } from '../../hooks/drivers/vsphere';
import { VmInventory } from '../../hooks/drivers/vsphere/inventory';
import { retrieveProperties } from '../../hooks/drivers/vsphere/properties';
import { VsphereSession } from '../../hooks/drivers/vsphere/session';
import { readMoRef, type MoRef } from '../../hooks/drivers/vsphere/soap';
import type { XmlElement } from '../../hooks/drivers/vsphere/xml';
import type { VcsimPlacement } from '../../testenv/vcsim/inventory';

/**
 * Where vCenter says each named VM is, read over vim25 with the project's own SOAP session: found by the vSphere
 * driver's lookup under `/<config.datacenter>/vm` (a VM that datacenter lacks raises NotFoundError), the cluster
 * owning its resource pool, its datastores and its NICs' networks (several joined by commas, none: "").
 */
export async function vmPlacements(config: VsphereConfig, names: readonly string[]): Promise<Map<string, VcsimPlacement>> {
  const session = new VsphereSession(config);
  const nameOf = async (ref: MoRef) => (await retrieveProperties(session, ref.type, [ref], ['name']))[0].values.get('name')!.text;
  const namesOf = async (val: XmlElement | undefined) => (await Promise.all((val?.children ?? []).map((ref) => nameOf(readMoRef(ref))))).join(',');
  try {
    const inventory = new VmInventory(session);
    const placements = new Map<string, VcsimPlacement>();
    for (const name of names) {
      const [vm] = await retrieveProperties(session, 'VirtualMachine', [await inventory.find(name)], ['resourcePool', 'datastore', 'network']);
      const [pool] = await retrieveProperties(session, 'ResourcePool', [readMoRef(vm.values.get('resourcePool')!)], ['owner']);
      const cluster = await nameOf(readMoRef(pool.values.get('owner')!));
      placements.set(name, { datacenter: config.datacenter, cluster, datastore: await namesOf(vm.values.get('datastore')), network: await namesOf(vm.values.get('network')) });
    }
    return placements;
  } finally {
    await session.close();
  }
}
