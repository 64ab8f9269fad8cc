import { StackId } from '../../stacks/app';
import type { Step } from '../engine/step';
import type { FailbackSystems } from './systems';
import { RECOVERED_VMS_STEP } from './topology-views';
import type { RecoveredVm } from './recovered-vms';

type S = FailbackSystems;

/**
 * After the commit, the recovery site's stack state still names the VM objects Zerto replaced (hazard H12):
 * journals, for each recovered VM, the state move that binds its declared resource to the VM that now runs
 * (docs/infrastructure.md, "After a recovery: the Terraform state"). The engine does not run Terraform;
 * `pra deploy --plan-json` refuses a plan that would clone the VM until the move is done.
 */
export function terraformStateStep(to: string): Step<S> {
  return {
    id: 'commit.terraform-state',
    phase: 'commit',
    title: `journal the Terraform state move of stack ${StackId.site(to)}`,
    describe: () => `for each recovered VM: terraform state rm + import of its resource in ${StackId.site(to)} (journaled, not run)`,
    async act(ctx) {
      const { topology } = ctx.systems;
      const recovered = (ctx.outputs[RECOVERED_VMS_STEP] as { recovered?: RecoveredVm[] } | undefined)?.recovered ?? [];
      const site = topology.sites.find((s) => s.name === to)!;
      const chdir = `-chdir=cdktf.out/stacks/${StackId.site(to)}`;
      const moves = recovered.flatMap((r) => {
        const declared = topology.vms.find((vm) => vm.site === to && (vm.name === r.vm || vm.peer === r.protectedVm));
        if (!declared) return [];
        const address = `vsphere_virtual_machine.${declared.name}`;
        // The provider imports a VM by its full inventory path; one Zerto created (not the stack's own VM) is in the
        // VPG's recovery folder (docs/zerto.md, "What Zerto does to a recovered VM").
        const folder = r.vm !== declared.name && site.folder !== undefined ? `${site.folder}/` : '';
        const importId = `/${site.vcenter.datacenter}/vm/${folder}${r.vm}`;
        return [{ stack: StackId.site(to), address, importId, commands: [`terraform ${chdir} state rm '${address}'`, `terraform ${chdir} import '${address}' '${importId}'`] }];
      });
      return { moves };
    },
    timeoutSeconds: 30,
  };
}
