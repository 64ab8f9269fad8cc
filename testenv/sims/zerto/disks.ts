import { readDisk, writeDisk, type DiskImage } from '../../guests/disk';

/**
 * The replicated disks of the VMs an instance protects, when a drill runs simulated guests for them
 * (testenv/guests/disk.ts): site -> vCenter VM name -> the guest root its disk is. A recovery reads the protected
 * VMs' disks at its checkpoint and lays them into the recovered VMs' roots before they power on, as Zerto
 * attaches the replicated disks to the VMs it creates. A VM without a root (a test of the API alone, a failover
 * test's "- testing recovery" VM) has no disk to read or write. `reset` forgets them.
 */
export class GuestDisks {
  private roots = new Map<string, ReadonlyMap<string, string>>();

  set(roots: Readonly<Record<string, Readonly<Record<string, string>>>>): void {
    this.roots = new Map(Object.entries(roots).map(([site, vms]) => [site, new Map(Object.entries(vms))]));
  }

  clear(): void {
    this.roots.clear();
  }

  /** The disk of a VM at the checkpoint, or undefined without one. */
  checkpoint(site: string, vm: string): DiskImage | undefined {
    const root = this.roots.get(site)?.get(vm);
    return root === undefined ? undefined : readDisk(root);
  }

  /** Attaches a checkpoint's disk to a recovered VM, its address replaced by the VPG's re-IP when it has one. */
  attach(site: string, vm: string, image: DiskImage | undefined, address: string | undefined): void {
    const root = this.roots.get(site)?.get(vm);
    if (root !== undefined && image !== undefined) writeDisk(root, image, address);
  }
}
