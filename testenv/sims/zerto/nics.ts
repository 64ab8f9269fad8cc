import { lowerKeys } from './contract';
import { ApiError } from './operations';

/**
 * Per-VM NIC settings of VPGs (ZVMA 10.0 U6 document: GET `/v1/vpgSettings/{id}/vms/{vmId}/nics`, PUT `.../{nicId}`), kept
 * apart from the other settings: a settings copy opened on a VPG starts from the VPG's committed NICs, a PUT
 * replaces one NIC of the copy, commit stores the copy's NICs on the VPG, discard drops them. Each VM has one
 * NIC, "Network adapter 1", which re-IPs nothing until told (`ShouldReplaceIpConfiguration`).
 */
type Nic = Record<string, unknown>;
const NIC_ID = 'Network adapter 1';

function defaultNic(): Nic {
  const network = () => ({ Hypervisor: { NetworkIdentifier: null, ShouldReplaceMacAddress: false, ShouldReplaceIpConfiguration: false, IpConfig: null, DnsSuffix: null } });
  return { NicIdentifier: NIC_ID, Failover: network(), FailoverTest: network() };
}

export class VmNicStore {
  /** settings id -> VM id -> NICs of that copy. */
  private readonly drafts = new Map<string, Map<string, Nic[]>>();
  /** VPG id -> VM id -> committed NICs. */
  private readonly committed = new Map<string, Map<string, Nic[]>>();

  open(settingsId: string, vpgId: string | null): void {
    const from = vpgId === null ? undefined : this.committed.get(vpgId);
    this.drafts.set(settingsId, new Map([...(from ?? new Map<string, Nic[]>())].map(([vm, nics]) => [vm, structuredClone(nics)])));
  }

  /** `vmIds`: the VMs the settings copy protects now (a NIC of another VM is a 404, as on a ZVM). */
  list(settingsId: string, vmId: string, vmIds: readonly string[]): Nic[] {
    return this.nicsOf(settingsId, vmId, vmIds);
  }

  put(settingsId: string, vmId: string, nicId: string, body: unknown, vmIds: readonly string[]): void {
    const nics = this.nicsOf(settingsId, vmId, vmIds);
    const i = nics.findIndex((n) => n.NicIdentifier === nicId);
    if (i < 0) throw new ApiError(404, `NIC ${nicId} of VM ${vmId} not found`);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ApiError(400, 'the NIC settings must be a JSON object');
    nics[i] = { ...structuredClone(body as Nic), NicIdentifier: nicId };
  }

  /**
   * The address a recovery (`failoverTest`: a test) gives a VM of a VPG: its first committed NIC's static IP when
   * the NIC replaces the IP configuration; undefined when the VM keeps the address on its disk.
   */
  reIp(vpgId: string, vmId: string, test: boolean): string | undefined {
    const nic = lowerKeys(this.committed.get(vpgId)?.get(vmId)?.[0]) as Record<string, Record<string, Record<string, unknown>>> | undefined;
    const hypervisor = nic?.[test ? 'failovertest' : 'failover']?.hypervisor as { shouldreplaceipconfiguration?: unknown; ipconfig?: { isdhcp?: unknown; staticip?: unknown } } | undefined;
    if (hypervisor?.shouldreplaceipconfiguration !== true || hypervisor.ipconfig?.isdhcp === true) return undefined;
    return typeof hypervisor.ipconfig?.staticip === 'string' ? hypervisor.ipconfig.staticip : undefined;
  }

  commit(settingsId: string, vpgId: string): void {
    const draft = this.drafts.get(settingsId);
    if (draft) this.committed.set(vpgId, draft);
    this.drafts.delete(settingsId);
  }

  discard(settingsId: string): void {
    this.drafts.delete(settingsId);
  }

  clear(): void {
    this.drafts.clear();
    this.committed.clear();
  }

  private nicsOf(settingsId: string, vmId: string, vmIds: readonly string[]): Nic[] {
    const draft = this.drafts.get(settingsId);
    if (!draft) throw new ApiError(404, `VPG settings ${settingsId} not found`);
    if (!vmIds.includes(vmId)) throw new ApiError(404, `VM ${vmId} is not in VPG settings ${settingsId}`);
    if (!draft.has(vmId)) draft.set(vmId, [defaultNic()]);
    return draft.get(vmId)!;
  }
}
