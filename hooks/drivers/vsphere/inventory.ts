import { boundedAll, FAN_OUT } from '../common/concurrency';
import { NotFoundError, PermanentError } from '../common/errors';
import { retrieveFromContainer } from './properties';
import { readMoRef, textXml, type MoRef } from './soap';
import type { VsphereSession } from './session';

/**
 * Finds VMs by name within the configured datacenter, never by BIOS UUID: Zerto replicas share the
 * UUID of their source, so a UUID lookup can return the other site's VM. Resolved references are
 * cached; a reference that went stale (VM unregistered and registered again) is resolved once more.
 * Callers share the cache (the engine and a power watcher on one client): a lookup answered before a caller
 * forgot references may carry the stale one, so it does not go back into the cache.
 */
export class VmInventory {
  private readonly cache = new Map<string, MoRef>();
  /** Bumped each time references are forgotten; a lookup caches its answers only if none was since it began. */
  private generation = 0;

  constructor(private readonly session: VsphereSession) {}

  /**
   * `name` is a VM name, looked up at `/<datacenter>/vm/<name>` first, then anywhere under the
   * datacenter's vm folder; or a full inventory path starting with `/`.
   */
  async find(name: string): Promise<MoRef> {
    const cached = this.cache.get(name);
    if (cached) return cached;
    const since = this.generation;
    const ref = name.startsWith('/') ? await this.byPath(name) : ((await this.byPath(this.vmFolderPath(name))) ?? (await this.byName(name)));
    if (!ref) throw new NotFoundError(this.session.system, `no VM ${name} in datacenter ${this.session.datacenter}`);
    this.remember(since, [[name, ref]]);
    return ref;
  }

  /**
   * Resolves many names at once, omitting those that do not exist (yet: Zerto creates recovered VMs
   * during a Move). Path lookups first (concurrently, FAN_OUT at a time), then a single container
   * scan for the rest.
   */
  async findAll(names: readonly string[]): Promise<Map<string, MoRef>> {
    const since = this.generation;
    const uncached = [...new Set(names)].filter((name) => !this.cache.has(name));
    const refs = await boundedAll(uncached, FAN_OUT, (name) => this.byPath(this.vmFolderPath(name)));
    const byPath = new Map(uncached.map((name, i) => [name, refs[i]]));
    const found = new Map<string, MoRef>();
    const unresolved: string[] = [];
    for (const name of names) {
      const ref = byPath.get(name) ?? this.cache.get(name);
      if (ref) found.set(name, ref);
      else unresolved.push(name);
    }
    if (unresolved.length) {
      const all = await this.scanVmFolder();
      for (const name of unresolved) {
        const matches = all.filter((vm) => vm.name === name);
        if (matches.length === 1) found.set(name, matches[0].ref);
      }
    }
    this.remember(since, found);
    return found;
  }

  /** Forgets every cached reference (after the server reported one of them gone). */
  forgetAll(): void {
    this.cache.clear();
    this.generation++;
  }

  private remember(since: number, refs: Iterable<readonly [string, MoRef]>): void {
    if (since !== this.generation) return;
    for (const [name, ref] of refs) this.cache.set(name, ref);
  }

  /**
   * Runs `action` on the VM's reference; when the server says the reference no longer exists,
   * forgets it, resolves the name again and runs `action` once more.
   */
  async withVm<T>(name: string, action: (vm: MoRef) => Promise<T>): Promise<T> {
    const fromCache = this.cache.has(name);
    const ref = await this.find(name);
    try {
      return await action(ref);
    } catch (error) {
      if (!(error instanceof NotFoundError) || !fromCache) throw error;
      this.forgetAll();
      return action(await this.find(name));
    }
  }

  private vmFolderPath(name: string): string {
    return `/${escapeSegment(this.session.datacenter)}/vm/${escapeSegment(name)}`;
  }

  private async byPath(path: string): Promise<MoRef | undefined> {
    const ref = await this.lookup(path);
    if (ref && ref.type !== 'VirtualMachine') throw new PermanentError(this.session.system, `${path} is a ${ref.type}, not a VM`);
    return ref;
  }

  private async byName(name: string): Promise<MoRef | undefined> {
    const matches = (await this.scanVmFolder()).filter((vm) => vm.name === name);
    if (matches.length > 1) {
      throw new PermanentError(this.session.system, `${matches.length} VMs are named ${name} in datacenter ${this.session.datacenter}; pass the inventory path (/${this.session.datacenter}/vm/FOLDER/${name}) instead`);
    }
    return matches[0]?.ref;
  }

  /** Every VM under the datacenter's vm folder, subfolders included, with its name. */
  private async scanVmFolder(): Promise<{ name: string; ref: MoRef }[]> {
    const folderPath = `/${escapeSegment(this.session.datacenter)}/vm`;
    const vmFolder = await this.lookup(folderPath);
    if (!vmFolder) throw new NotFoundError(this.session.system, `no datacenter ${this.session.datacenter} (looked for ${folderPath}); check the topology's vcenter.datacenter`);
    const vms = await retrieveFromContainer(this.session, vmFolder, 'VirtualMachine', ['name']);
    return vms.map((vm) => ({ name: vm.values.get('name')?.text ?? '', ref: vm.ref }));
  }

  private async lookup(path: string): Promise<MoRef | undefined> {
    const { searchIndex } = await this.session.serviceContent();
    const found = (await this.session.call('FindByInventoryPath', searchIndex, textXml('inventoryPath', path))).child('returnval');
    return found ? readMoRef(found) : undefined;
  }
}

/** Inventory path segments escape `/` and `%` (vSphere's own convention). */
function escapeSegment(segment: string): string {
  return segment.replace(/%/g, '%25').replace(/\//g, '%2f');
}
