import { createHash } from 'node:crypto';
import { TerraformLocal, TerraformStack, type IResolvable, type TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { VirtualMachine } from '@cdktf/provider-vsphere/lib/virtual-machine';
import { ConstructPropError } from './errors';
import { ExtraConfigKey, MANAGED_KEYS, OUT_OF_BAND_KEYS, gzipBase64 } from './extra-config';
import { failbackEnabledExpression, startupModeExpression, terraformText, type FailbackVariables } from './failback-expressions';

export type GuardSource = 'guestinfo' | 'file' | 'etcd';

/** Where the in-guest cron guard reads the active-site decision, and how it behaves when it denies. */
export interface GuardSourceSettings {
  /** Every listed source must agree before a job runs (fail closed). */
  readonly sources: readonly GuardSource[];
  /** Required when `sources` lists etcd. */
  readonly etcdEndpoints?: readonly string[];
  /** @default '/pra/active-site' */
  readonly etcdKey?: string;
  /** @default 0 (cron does not mail every denied minute) */
  readonly deniedExitCode?: number;
  /** @default 'deny' (a catch-up replay after a clock step never runs) */
  readonly replayPolicy?: 'allow' | 'deny';
}

/**
 * What a VM takes from its template. Usually references to a `vsphere_virtual_machine` data source, shared
 * by every VM cloned from the same template (one set of tokens per template, not per VM).
 */
export interface VmTemplate {
  readonly uuid: string;
  readonly guestId: string;
  readonly firmware: string;
  readonly diskSizeGiB: number;
  readonly diskThinProvisioned: boolean | IResolvable;
  readonly networkAdapterType: string;
}

export interface ProtectedVmProps {
  /** The VM's name in vCenter. */
  readonly vmName: string;
  /** The site this VM lives on (its vSphere provider must point at that site's vCenter). */
  readonly site: string;
  readonly ipAddress: string;
  readonly subnetPrefixLength: number;
  readonly gateway: string;
  readonly cpus: number;
  readonly memoryMiB: number;
  /** The template the VM is cloned from (guest id, firmware, disk size and NIC type follow it). */
  readonly template: VmTemplate;
  readonly resourcePoolId: string;
  readonly datastoreId: string;
  readonly networkId: string;
  /** The site's variables; the start-up mode is an expression over them. */
  readonly failback: FailbackVariables;
  /** @default - the stack's default vSphere provider */
  readonly provider?: TerraformProvider;
  /**
   * The VM on the other site that takes over this one's role. Policy PRA-VM-004 requires it for a protected VM.
   * @default - no peer
   */
  readonly peer?: string;
  /**
   * Protected VMs are replicated by a VPG and take part in the failback pause; unprotected ones always start normally.
   * @default true
   */
  readonly protected?: boolean;
  /** @default { sources: ['guestinfo', 'file'] } */
  readonly guard?: GuardSourceSettings;
  /**
   * cloud-init user data (e.g. the guard's installer), stored gzip+base64 in a Terraform local of the stack
   * (shared by every VM with the same text) that `guestinfo.userdata` references.
   * @default - no user data key is declared
   */
  readonly userData?: string;
  /**
   * More extra_config entries. Keys managed by this construct and keys the engine writes out of band are refused.
   * @default {}
   */
  readonly additionalExtraConfig?: Readonly<Record<string, string>>;
}

/**
 * A VM of one site, declared with the failback extra_config the engine and the guest guard read.
 * `extra_config_reboot_required = false`: a state change must never reboot a VM (H8).
 */
export class ProtectedVm extends Construct {
  readonly vmName: string;
  readonly site: string;
  readonly peer?: string;
  readonly isProtected: boolean;
  readonly resource: VirtualMachine;

  constructor(scope: Construct, id: string, props: ProtectedVmProps) {
    super(scope, id);
    validateProps(this, props);
    this.vmName = props.vmName;
    this.site = props.site;
    this.peer = props.peer;
    this.isProtected = props.protected ?? true;
    const { template } = props;
    this.resource = new VirtualMachine(this, 'Default', {
      provider: props.provider,
      name: props.vmName,
      resourcePoolId: props.resourcePoolId,
      datastoreId: props.datastoreId,
      numCpus: props.cpus,
      memory: props.memoryMiB,
      guestId: template.guestId,
      firmware: template.firmware,
      networkInterface: [{ networkId: props.networkId, adapterType: template.networkAdapterType }],
      disk: [{ label: 'disk0', size: template.diskSizeGiB, thinProvisioned: template.diskThinProvisioned }],
      clone: { templateUuid: template.uuid },
      extraConfig: { ...(props.additionalExtraConfig ?? {}), ...this.failbackExtraConfig(props) },
      extraConfigRebootRequired: false,
      // A rebuilt template must not replace production VMs.
      lifecycle: { ignoreChanges: ['clone[0].template_uuid'] },
    });
  }

  private failbackExtraConfig(props: ProtectedVmProps): Record<string, string> {
    const guard = props.guard ?? { sources: ['guestinfo', 'file'] };
    const config: Record<string, string> = {
      [ExtraConfigKey.failbackEnabled]: this.isProtected ? failbackEnabledExpression(props.failback, props.site) : 'false',
      [ExtraConfigKey.failbackSite]: props.site,
      [ExtraConfigKey.startupMode]: this.isProtected ? startupModeExpression(props.failback, props.site) : 'normal',
      [ExtraConfigKey.site]: props.site,
      [ExtraConfigKey.guardSources]: guard.sources.join(','),
      [ExtraConfigKey.guardDeniedExitCode]: String(guard.deniedExitCode ?? 0),
      [ExtraConfigKey.guardReplayPolicy]: guard.replayPolicy ?? 'deny',
      [ExtraConfigKey.metadata]: Buffer.from(JSON.stringify(cloudInitMetadata(props))).toString('base64'),
      [ExtraConfigKey.metadataEncoding]: 'base64',
    };
    if (guard.sources.includes('etcd')) {
      config[ExtraConfigKey.guardEtcdEndpoints] = (guard.etcdEndpoints ?? []).join(',');
      config[ExtraConfigKey.guardEtcdKey] = guard.etcdKey ?? '/pra/active-site';
    }
    if (props.userData !== undefined) {
      config[ExtraConfigKey.userData] = sharedUserData(this, props.userData);
      config[ExtraConfigKey.userDataEncoding] = 'gzip+base64';
    }
    return config;
  }
}

/**
 * The gzip+base64 user data as a Terraform local of the stack, one per distinct text: every VM of a site
 * carries the same guard installer, and inlining it in each VM made a 2000-VM stack tens of megabytes.
 * The local's id is derived from the text, never from VM order. Each distinct text is hashed and compressed
 * once per process (a few sites, a few entries: the cache is emptied past 16).
 */
const userDataLocals = new Map<string, { readonly id: string; readonly value: string }>();

function sharedUserData(scope: Construct, text: string): string {
  const stack = TerraformStack.of(scope);
  let local = userDataLocals.get(text);
  if (local === undefined) {
    if (userDataLocals.size >= 16) userDataLocals.clear();
    local = { id: `cloud_init_userdata_${createHash('sha256').update(text).digest('hex').slice(0, 12)}`, value: gzipBase64(text) };
    userDataLocals.set(text, local);
  }
  const existing = stack.node.tryFindChild(local.id) as TerraformLocal | undefined;
  if (existing) return localReferences.get(existing) as string;
  const created = new TerraformLocal(stack, local.id, local.value);
  // The reference as Terraform text, once per local: `asString` makes a new token (and stack trace) per call.
  localReferences.set(created, terraformText(stack, created.asString));
  return localReferences.get(created) as string;
}

const localReferences = new WeakMap<TerraformLocal, string>();

/** cloud-init network and identity for the VMware datasource: the topology's address, not DHCP. */
function cloudInitMetadata(props: ProtectedVmProps) {
  return {
    'instance-id': props.vmName,
    'local-hostname': props.vmName.toLowerCase(),
    network: {
      version: 2,
      ethernets: {
        nic0: { match: { name: 'e*' }, addresses: [`${props.ipAddress}/${props.subnetPrefixLength}`], routes: [{ to: 'default', via: props.gateway }] },
      },
    },
  };
}

function validateProps(scope: Construct, props: ProtectedVmProps): void {
  if (!Number.isInteger(props.cpus) || props.cpus < 1) throw new ConstructPropError(scope, 'cpus', props.cpus, 'must be a whole number of vCPUs, at least 1');
  if (!Number.isInteger(props.memoryMiB) || props.memoryMiB < 256) throw new ConstructPropError(scope, 'memoryMiB', props.memoryMiB, 'must be a whole number of MiB, at least 256');
  if (!/^[a-z][a-z0-9-]*$/.test(props.site)) throw new ConstructPropError(scope, 'site', props.site, 'must be a lowercase site name such as rbx');
  for (const key of Object.keys(props.additionalExtraConfig ?? {})) {
    if (OUT_OF_BAND_KEYS.includes(key)) throw new ConstructPropError(scope, `additionalExtraConfig["${key}"]`, props.additionalExtraConfig?.[key], 'is written by the engine out of band: remove it (declaring it would revert handovers)');
    if (MANAGED_KEYS.includes(key)) throw new ConstructPropError(scope, `additionalExtraConfig["${key}"]`, props.additionalExtraConfig?.[key], 'is managed by ProtectedVm: set the matching prop instead');
  }
  const guard = props.guard;
  if (guard && guard.sources.length === 0) throw new ConstructPropError(scope, 'guard.sources', guard.sources, 'must list at least one source (guestinfo, file, etcd)');
  if (guard?.sources.includes('etcd') && !guard.etcdEndpoints?.length) {
    throw new ConstructPropError(scope, 'guard.etcdEndpoints', guard.etcdEndpoints, 'must list the etcd endpoints when guard.sources includes etcd');
  }
}
