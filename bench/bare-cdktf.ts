import { readFileSync } from 'node:fs';
import { App, TerraformLocal, TerraformStack } from 'cdktf';
import { VsphereProvider } from '@cdktf/provider-vsphere/lib/provider';
import { VirtualMachine } from '@cdktf/provider-vsphere/lib/virtual-machine';

/**
 * The synthesis benchmark's baseline: a bare cdktf program (no topology, no constructs, no policy) declaring
 * the same VMs with the same attributes and extra_config, in the same stacks, as the app's synthesized output
 * it is given. Usage: node dist/bench/bare-cdktf.js INPUT.json OUTDIR  (INPUT written by bench/synth.ts).
 */
export interface BareInput {
  readonly stacks: Record<string, { readonly locals: Record<string, string>; readonly vms: Record<string, VmBody> }>;
}

/** A `vsphere_virtual_machine` as the app synthesized it (Terraform JSON, snake_case). */
export interface VmBody {
  readonly name: string;
  readonly resource_pool_id: string;
  readonly datastore_id: string;
  readonly num_cpus: number;
  readonly memory: number;
  readonly guest_id: string;
  readonly firmware: string;
  readonly network_interface: { network_id: string; adapter_type: string }[];
  readonly disk: { label: string; size: number; thin_provisioned: boolean }[];
  readonly clone: { template_uuid: string };
  readonly extra_config: Record<string, string>;
}

function main(): void {
  const [inputFile, outdir] = process.argv.slice(2);
  const input = JSON.parse(readFileSync(inputFile, 'utf8')) as BareInput;
  const app = new App({ outdir });
  for (const [id, { locals, vms }] of Object.entries(input.stacks)) {
    const stack = new TerraformStack(app, id);
    const provider = new VsphereProvider(stack, 'vsphere', { vsphereServer: 'vcenter.example.net', user: 'bench', password: 'bench' });
    for (const [name, value] of Object.entries(locals)) new TerraformLocal(stack, name, value);
    for (const [name, vm] of Object.entries(vms)) {
      new VirtualMachine(stack, name, {
        provider,
        name: vm.name,
        resourcePoolId: vm.resource_pool_id,
        datastoreId: vm.datastore_id,
        numCpus: vm.num_cpus,
        memory: vm.memory,
        guestId: vm.guest_id,
        firmware: vm.firmware,
        networkInterface: vm.network_interface.map((n) => ({ networkId: n.network_id, adapterType: n.adapter_type })),
        disk: vm.disk.map((d) => ({ label: d.label, size: d.size, thinProvisioned: d.thin_provisioned })),
        clone: { templateUuid: vm.clone.template_uuid },
        extraConfig: vm.extra_config,
        extraConfigRebootRequired: false,
        lifecycle: { ignoreChanges: ['clone[0].template_uuid'] },
      });
    }
  }
  app.synth();
}

main();
