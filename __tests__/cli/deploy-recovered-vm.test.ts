import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deployCommandWith, type CdktfRunner } from '../../hooks/cli/deploy';
import { captureCli, pra } from '../helpers/project';
import { tempDirs } from '../helpers/tmp';
import { liveProject } from '../support/live-project';
import { exclusive } from '../support/exclusive';
import { REPO_ROOT } from '../../testenv/core';

// Hazard H12: after a Zerto recovery the site stack's state names objects that are gone, and Terraform plans
// to clone a VM that vCenter already runs under that name. The plans are `terraform show -json` documents.
const dirs = tempDirs();
const PLANS = join(REPO_ROOT, '__tests__/fixtures/plans');

afterAll(() => dirs.removeAll());

function deployProject() {
  const project = liveProject(dirs.make('pra-deploy-plan-'));
  writeFileSync(join(project.dir, 'cdktf.json'), '{"language":"typescript","app":"true"}\n');
  const calls: (readonly string[])[] = [];
  const runner: CdktfRunner = async (args) => {
    calls.push(args);
    return 0;
  };
  const command = deployCommandWith(runner);
  return { ...project, calls, deploy: (argv: string[]) => captureCli((ctx) => command.run(ctx), argv, { cwd: project.dir, env: project.env }) };
}

describe('pra deploy --plan-json', () => {
  exclusive('vcenter-example-vms'); // reads the example VMs' power: a drill suspending them meanwhile is a pause window
  it('refuses (exit 4) a plan that creates a VM the site vCenter already runs under that name, with the state move to do', async () => {
    const p = deployProject();
    const { code, stderr } = await p.deploy(['site-rbx', '--plan-json', `site-rbx=${join(PLANS, 'site-rbx-after-recovery.json')}`]);
    expect(code).toBe(4);
    expect(stderr).toContain('VM-DOCKER-APP-A-RBX: site-rbx plans to create vsphere_virtual_machine.VM-DOCKER-APP-A-RBX, but vCenter rbx already has a VM of that name');
    expect(stderr).toContain("terraform -chdir=cdktf.out/stacks/site-rbx state rm 'vsphere_virtual_machine.VM-DOCKER-APP-A-RBX'");
    expect(stderr).not.toContain('VM-MYSQL-APP-A-RBX'); // a no-op in the plan
    expect(p.calls).toEqual([]);
  });

  it('deploys a plan whose only VM change replaces the VM (destroyed before it is created)', async () => {
    const p = deployProject();
    const { code } = await p.deploy(['site-rbx', '--plan-json', `site-rbx=${join(PLANS, 'site-rbx-replace.json')}`]);
    expect(code).toBe(0);
    expect(p.calls).toEqual([['deploy', 'site-rbx']]);
  });

  it('deploys a plan that creates a VM no site vCenter knows', async () => {
    const p = deployProject();
    const plan = join(p.dir, 'plan.json');
    writeFileSync(plan, JSON.stringify({ format_version: '1.2', resource_changes: [{ address: 'vsphere_virtual_machine.VM-NEW', type: 'vsphere_virtual_machine', change: { actions: ['create'], after: { name: 'VM-NEW-RBX' } } }] }));
    expect((await p.deploy(['site-rbx', '--plan-json', 'site-rbx=plan.json'])).code).toBe(0);
  });

  it('names the file and the field of a malformed plan (exit 2), and a plan given for a stack not deployed', async () => {
    const p = deployProject();
    const plan = join(p.dir, 'plan.json');
    writeFileSync(plan, JSON.stringify({ resource_changes: [{ address: 'vsphere_virtual_machine.X', type: 'vsphere_virtual_machine', change: { actions: ['create'], after: {} } }] }));
    const bad = await pra(['deploy', 'site-rbx', '--plan-json', 'site-rbx=plan.json'], { cwd: p.dir, env: p.env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${plan}: resource_changes[0].change.after.name: must be the VM name vsphere_virtual_machine.X creates`);
    const other = await pra(['deploy', 'site-rbx', '--plan-json', 'site-sbg=plan.json'], { cwd: p.dir, env: p.env });
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('--plan-json site-sbg: that stack is not deployed by this command');
    expect(p.calls).toEqual([]);
  });
});
