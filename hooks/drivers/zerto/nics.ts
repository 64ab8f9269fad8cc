import type { FailoverIp } from '../../../topology/vpg-nics';
import { PermanentError } from '../common/errors';
import type { ZertoClient } from './client';
import { bool, field, list, objectAt, setField, str } from './fields';

/** One NIC difference, shaped like the reconciler's field changes. */
export interface NicChange {
  readonly field: string;
  readonly from: string;
  readonly to: string;
}

/**
 * Per-VM NIC settings of a VPG settings copy (ZVMA 10.0 U6 document: `GET /v1/vpgSettings/{id}/vms/{vmId}/nics`,
 * `PUT .../nics/{nicId}` with `{nicIdentifier, failover: {hypervisor: {ipConfig, shouldReplaceIpConfiguration,
 * ...}}, failoverTest}`). The topology gives each VM one address, so the first NIC carries it.
 */
const nicsPath = (settingsId: string, vmId: string) => `/v1/vpgSettings/${settingsId}/vms/${vmId}/nics`;

async function firstNic(client: ZertoClient, settingsId: string, vm: { id: string; name: string }): Promise<Record<string, unknown>> {
  const nic = list(await client.get(nicsPath(settingsId, vm.id)))[0];
  if (!nic || typeof nic !== 'object') throw new PermanentError(client.system, `VM ${vm.name} has no NIC in the VPG settings: cannot set its failover address`);
  return nic as Record<string, unknown>;
}

/**
 * A failover re-IPs the recovered VM (`Failover`), a failover test its test VM (`FailoverTest`): both take the
 * topology address, so that a VM booted from the other site's disk is in the recovery site's subnet from its first
 * second, where the guard's subnet map sees the conflict with its replicated files (H11, H13).
 */
const NIC_SIDES = ['Failover', 'FailoverTest'] as const;

/** What one side of a NIC re-IPs to, as `ip/mask gw gateway`, or `-` when it does not replace the address. */
function sideReIp(nic: unknown, side: (typeof NIC_SIDES)[number]): string {
  const hypervisor = field(field(nic, side), 'Hypervisor');
  const ip = field(hypervisor, 'IpConfig');
  if (!bool(hypervisor, 'ShouldReplaceIpConfiguration') || bool(ip, 'IsDhcp') !== false) return '-';
  return `${str(ip, 'StaticIp') ?? '?'}/${str(ip, 'SubnetMask') ?? '?'} gw ${str(ip, 'Gateway') ?? '?'}`;
}

/** What a NIC's live settings re-IP to: one address when failover and test agree, else both. */
function liveReIp(nic: unknown): string {
  const [failover, test] = NIC_SIDES.map((side) => sideReIp(nic, side));
  return failover === test ? failover : `${failover} (test: ${test})`;
}

const wantedReIp = (want: FailoverIp) => `${want.staticIp}/${want.subnetMask} gw ${want.gateway}`;

/** The re-IP differences between a settings copy's NICs and the wanted failover addresses. */
export async function nicChanges(client: ZertoClient, settingsId: string | undefined, vmIds: ReadonlyMap<string, string>, wanted: readonly FailoverIp[]): Promise<NicChange[]> {
  const changes: NicChange[] = [];
  for (const want of wanted) {
    const id = vmIds.get(want.vm);
    const from = settingsId === undefined || id === undefined ? '-' : liveReIp(await firstNic(client, settingsId, { id, name: want.vm }));
    if (from !== wantedReIp(want)) changes.push({ field: `re-IP ${want.vm}`, from, to: wantedReIp(want) });
  }
  return changes;
}

/** Writes each wanted address into the first NIC of its VM, failover and test, with `shouldReplaceIpConfiguration` (without it Zerto does not re-IP). */
export async function writeNics(client: ZertoClient, settingsId: string, vmIds: ReadonlyMap<string, string>, wanted: readonly FailoverIp[]): Promise<void> {
  for (const want of wanted) {
    const id = vmIds.get(want.vm);
    if (id === undefined) throw new PermanentError(client.system, `VM ${want.vm} is not in the VPG settings`);
    const nic = await firstNic(client, settingsId, { id, name: want.vm });
    for (const side of NIC_SIDES) {
      const hypervisor = objectAt(nic, [side, 'Hypervisor']);
      setField(hypervisor, 'ShouldReplaceIpConfiguration', true);
      const ip = objectAt(hypervisor, ['IpConfig']); // DNS servers as they are
      for (const [name, value] of Object.entries({ IsDhcp: false, StaticIp: want.staticIp, SubnetMask: want.subnetMask, Gateway: want.gateway })) setField(ip, name, value);
    }
    await client.put(`${nicsPath(settingsId, id)}/${encodeURIComponent(str(nic, 'NicIdentifier') ?? '')}`, nic);
  }
}
