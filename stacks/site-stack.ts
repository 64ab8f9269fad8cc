import { Fn, Token } from 'cdktf';
import type { Construct } from 'constructs';
import { VsphereProvider } from '@cdktf/provider-vsphere/lib/provider';
import { DataVsphereDatacenter } from '@cdktf/provider-vsphere/lib/data-vsphere-datacenter';
import { DataVsphereComputeCluster } from '@cdktf/provider-vsphere/lib/data-vsphere-compute-cluster';
import { DataVsphereDatastore } from '@cdktf/provider-vsphere/lib/data-vsphere-datastore';
import { DataVsphereNetwork } from '@cdktf/provider-vsphere/lib/data-vsphere-network';
import { DataVsphereResourcePool } from '@cdktf/provider-vsphere/lib/data-vsphere-resource-pool';
import { DataVsphereVirtualMachine } from '@cdktf/provider-vsphere/lib/data-vsphere-virtual-machine';
import { terraformText } from '../constructs/failback-expressions';
import { ProtectedVm, type GuardSourceSettings, type VmTemplate } from '../constructs/protected-vm';
import type { Guard, Site, Topology, Vm } from '../topology/schema';
import { PraStack, type PraStackProps } from './pra-stack';
import { declareSecretVariable, variableSuffix } from './variables';

/** Produces a VM's cloud-init user data (the guard installer); undefined declares none. */
export type UserDataSource = (vm: Vm, topology: Topology) => string | undefined;

export interface SiteStackProps extends PraStackProps {
  readonly site: Site;
  /** @default - no user data on any VM */
  readonly userData?: UserDataSource;
}

/** One site: its own vSphere provider (its vCenter), the inventory it places VMs in, and its VMs. */
export class SiteStack extends PraStack {
  readonly site: Site;
  readonly vms: readonly ProtectedVm[];

  constructor(scope: Construct, id: string, props: SiteStackProps) {
    super(scope, id, props);
    const { site, topology } = props;
    this.site = site;
    const password = declareSecretVariable(this, `vcenter_password_${variableSuffix(site.name)}`, `password of ${site.vcenter.username} on ${site.name}'s vCenter`);
    const provider = new VsphereProvider(this, 'vsphere', {
      alias: site.name,
      vsphereServer: new URL(site.vcenter.url).host,
      user: site.vcenter.username,
      password: password.stringValue,
      allowUnverifiedSsl: site.vcenter.insecure,
    });
    const datacenter = new DataVsphereDatacenter(this, 'datacenter', { provider, name: site.vcenter.datacenter });
    const datacenterId = datacenter.id;
    const cluster = new DataVsphereComputeCluster(this, 'cluster', { provider, name: site.cluster, datacenterId });
    // Every VM of the site shares these references: each is resolved to its Terraform text once (terraformText).
    const resourcePoolId = terraformText(this, site.resourcePool ? new DataVsphereResourcePool(this, 'resource-pool', { provider, name: site.resourcePool, datacenterId }).id : cluster.resourcePoolId);
    const datastoreId = terraformText(this, new DataVsphereDatastore(this, 'datastore', { provider, name: site.datastore, datacenterId }).id);
    const networkId = terraformText(this, new DataVsphereNetwork(this, 'network', { provider, name: site.network, datacenterId }).id);

    const templates = new Map<string, VmTemplate>();
    const templateFor = (name: string) => {
      let template = templates.get(name);
      if (!template) {
        const data = new DataVsphereVirtualMachine(this, `template-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`, { provider, name, datacenterId });
        const disk = data.disks.get(0);
        template = {
          uuid: terraformText(this, data.id),
          guestId: terraformText(this, data.guestId),
          firmware: terraformText(this, data.firmware),
          diskSizeGiB: Token.asNumber(terraformText(this, disk.size)),
          diskThinProvisioned: Token.asAny(terraformText(this, disk.thinProvisioned)),
          networkAdapterType: terraformText(this, Fn.element(data.networkInterfaceTypes, 0)),
        };
        templates.set(name, template);
      }
      return template;
    };
    const guard = guardSettings(topology.guard);
    const prefixLength = Number(site.subnet.split('/')[1]);
    this.vms = topology.vms
      .filter((vm) => vm.site === site.name)
      .map(
        (vm) =>
          new ProtectedVm(this, vm.name, {
            vmName: vm.name,
            site: site.name,
            ipAddress: vm.ip,
            subnetPrefixLength: prefixLength,
            gateway: site.gateway,
            cpus: vm.cpus,
            memoryMiB: vm.memoryMiB,
            template: templateFor(vm.template),
            resourcePoolId,
            datastoreId,
            networkId,
            provider,
            failback: this.failback,
            peer: vm.peer,
            protected: vm.protected,
            guard,
            userData: props.userData?.(vm, topology),
          }),
      );
  }
}

function guardSettings(guard: Guard): GuardSourceSettings {
  return {
    sources: guard.sources,
    etcdEndpoints: guard.etcd?.endpoints,
    etcdKey: guard.etcd?.key,
    deniedExitCode: guard.deniedExitCode,
    replayPolicy: guard.replayPolicy,
  };
}
