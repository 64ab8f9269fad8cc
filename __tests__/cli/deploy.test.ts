import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deployCommandWith, type CdktfRunner } from '../../hooks/cli/deploy';
import { Journal } from '../../hooks/engine/journal';
import type { PowerState, VsphereClient } from '../../hooks/drivers/vsphere';
import { captureCli, pra } from '../helpers/project';
import { tempDirs } from '../helpers/tmp';
import { exclusive } from '../support/exclusive';
import { liveProject } from '../support/live-project';
import { restorePower, siteVcenter } from '../support/site-vcenter';

exclusive('vcenter-example-vms'); // suspends an example VM in the shared vcsim

const dirs = tempDirs();
const RBX_VMS = ['VM-DOCKER-APP-A-RBX', 'VM-MYSQL-APP-A-RBX'];
let rbx: VsphereClient;
let initial: Map<string, PowerState>;

beforeAll(async () => {
  rbx = siteVcenter('rbx');
  initial = await rbx.powerStates(RBX_VMS);
  await Promise.all(RBX_VMS.map((vm) => rbx.ensureOff(vm, { guestShutdownTimeoutMs: 0 })));
});

afterAll(async () => {
  await restorePower(rbx, initial);
  await rbx.close();
  dirs.removeAll();
});

/** A live project with a cdktf.json, and a cdktf runner that records its command line instead of deploying. */
function deployProject() {
  const project = liveProject(dirs.make('pra-deploy-'));
  writeFileSync(join(project.dir, 'cdktf.json'), '{"language":"typescript","app":"true"}\n');
  const calls: { args: readonly string[]; cwd: string }[] = [];
  const runner: CdktfRunner = async (args, { cwd }) => {
    calls.push({ args, cwd });
    return 0;
  };
  const command = deployCommandWith(runner);
  return { ...project, calls, deploy: (argv: string[]) => captureCli((ctx) => command.run(ctx), argv, { cwd: project.dir, env: project.env }) };
}

/** Runs `body` while `vm` is suspended in the RBX vCenter, powering it off after. */
async function whileSuspended(vm: string, body: () => Promise<void>): Promise<void> {
  await rbx.ensureRunning(vm);
  await rbx.ensureSuspended(vm);
  try {
    await body();
  } finally {
    await rbx.ensureOff(vm, { guestShutdownTimeoutMs: 0 });
  }
}

describe('pra deploy', () => {
  it('runs cdktf deploy in the project directory with the stacks, --auto-approve and the arguments after --', async () => {
    const p = deployProject();
    const { code } = await p.deploy(['site-rbx', 'traffic', '--auto-approve', '--', '--parallelism', '2']);
    expect(code).toBe(0);
    expect(p.calls).toEqual([{ args: ['deploy', 'site-rbx', 'traffic', '--auto-approve', '--parallelism', '2'], cwd: p.dir }]);
  });

  it('passes --auto-approve only when given, and every stack when none is named', async () => {
    const p = deployProject();
    await p.deploy([]);
    expect(p.calls[0].args).toEqual(['deploy', '*']);
  });

  it('refuses (exit 4) while a VM of the deployed stack is suspended in vCenter, naming it', async () => {
    const p = deployProject();
    await whileSuspended('VM-MYSQL-APP-A-RBX', async () => {
      const { code, stderr } = await p.deploy(['site-rbx', '--auto-approve']);
      expect(code).toBe(4);
      expect(stderr).toContain('VM-MYSQL-APP-A-RBX: suspended in vCenter rbx');
      expect(stderr).toContain('hazard H8');
      expect(p.calls).toEqual([]);
    });
  });

  it('deploys a stack without VMs while another site has a suspended VM', async () => {
    const p = deployProject();
    await whileSuspended('VM-MYSQL-APP-A-RBX', async () => {
      expect((await p.deploy(['traffic'])).code).toBe(0);
      expect(p.calls.map((c) => c.args)).toEqual([['deploy', 'traffic']]);
    });
  });

  it('refuses while a run is in progress and the failback state declares the stack\'s VMs suspended', async () => {
    const p = deployProject();
    writeFileSync(join(p.dir, 'failback.auto.tfvars.json'), JSON.stringify({ failback_site: 'rbx', enable_failback_pause_mode: true, active_site: 'sbg' }));
    const journal = new Journal(join(p.dir, 'runs'), '20250101T030000Z-cafe');
    journal.append({ type: 'run.started', plan: 'failback sbg -> rbx', direction: { from: 'sbg', to: 'rbx' }, operator: 'alice', host: 'h', steps: [{ id: 'restore.recover', phase: 'restore', title: 't' }], options: {}, rtoMinutes: 30 });
    const { code, stderr } = await p.deploy(['*']);
    expect(code).toBe(4);
    expect(stderr).toContain('VM-DOCKER-APP-A-RBX: startup_mode suspended while run 20250101T030000Z-cafe is running');
  });

  it('deploys anyway with --force, saying which VMs it puts at risk', async () => {
    const p = deployProject();
    await whileSuspended('VM-DOCKER-APP-A-RBX', async () => {
      const { code, stderr } = await p.deploy(['site-rbx', '--force']);
      expect(code).toBe(0);
      expect(stderr).toContain('--force: deploying although these VMs are inside the pause window');
      expect(p.calls.map((c) => c.args)).toEqual([['deploy', 'site-rbx']]);
    });
  });

  it('names the known stacks when a stack does not exist (exit 2)', async () => {
    const p = deployProject();
    const { code, stderr } = await pra(['deploy', 'site-gra'], { cwd: p.dir, env: p.env });
    expect(code).toBe(2);
    expect(stderr).toContain('no stack matches "site-gra"; stacks: site-rbx, site-sbg, traffic, protection');
  });
});
