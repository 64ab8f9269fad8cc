import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadTopology } from '../../topology';
import { planFor } from '../../hooks/engine/operation';
import { pra } from '../helpers/project';
import { tempDirs } from '../helpers/tmp';
import { liveProject } from '../support/live-project';
import { exclusive } from '../support/exclusive';

// Reads the example VMs and the Zerto simulator's default instance live: a drill running meanwhile changes both.
exclusive('vcenter-example-vms');

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

describe('pra plan', () => {
  it('lists the failback steps in the order the run takes them, each with what it does and what it finds now', async () => {
    const project = liveProject(dirs.make('pra-plan-'));
    const { code, stdout } = await pra(['plan', '--to', 'rbx', '--json'], { cwd: project.dir, env: project.env });
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    const expected = planFor(loadTopology(join(project.dir, 'topology.yaml')), { kind: 'failback', from: 'sbg', to: 'rbx', force: false });
    expect(report.steps.map((s: any) => s.id)).toEqual(expected.steps.map((s) => s.id));
    const step = (id: string) => report.steps.find((s: any) => s.id === id);
    expect(step('activation.resume').does).toBe('power on 2 suspended VMs on vCenter rbx, 16 at a time');
    expect(step('activation.resume').now).toMatch(/^rbx: \d+ \w+/);
    // H13: the simulator's VPG has no NIC re-IP yet (pra vpg sync sets it), and the plan says so.
    expect(step('preflight.zerto').now).toMatch(/^VPG-SBG-TO-RBX \w+\/\w+, RPO \d+ s, re-IP differs: VM-DOCKER-APP-B-SBG - \(wanted 10\.100\.0\.10\/255\.255\.255\.0 gw 10\.100\.0\.1\)/);
    expect(step('validation.approve').gate).toBe('validation');
    expect(step('commit.zerto').pointOfNoReturn).toBe(true);
    expect(report.readErrors).toEqual([]);
  });

  it('reviews both failback state toggles: the target armed with pause mode, then made active', async () => {
    const project = liveProject(dirs.make('pra-plan-'));
    const report = JSON.parse((await pra(['plan', '--to', 'rbx', '--json'], { cwd: project.dir, env: project.env })).stdout);
    expect(report.stateChanges.map((c: any) => [c.step, c.diff.to])).toEqual([
      ['restore.failback-state', { failback_site: 'rbx', enable_failback_pause_mode: true, active_site: 'sbg' }],
      ['switch.state', { failback_site: 'rbx', enable_failback_pause_mode: false, active_site: 'rbx' }],
    ]);
  });

  it('changes nothing: the failback state, the authority and the synthesized stacks stay as they were', async () => {
    const project = liveProject(dirs.make('pra-plan-'));
    const before = readFileSync(join(project.dir, 'failback.auto.tfvars.json'), 'utf8');
    await pra(['plan', '--to', 'rbx'], { cwd: project.dir, env: project.env });
    expect(readFileSync(join(project.dir, 'failback.auto.tfvars.json'), 'utf8')).toBe(before);
    expect(existsSync(join(project.dir, 'authority.json'))).toBe(false);
    expect(existsSync(join(project.dir, 'cdktf.out'))).toBe(false);
  });

  it('renders Markdown for a pull request: the step table, the gates and the infrastructure diff', async () => {
    const project = liveProject(dirs.make('pra-plan-'));
    const { stdout } = await pra(['plan', '--to', 'rbx'], { cwd: project.dir, env: project.env });
    expect(stdout).toContain('# pra plan: failback sbg -> rbx (topology drill)');
    expect(stdout).toContain('| # | phase | step | what it will do | now |');
    expect(stdout).toContain('Approvals: validation, activation');
    expect(stdout).toContain('### step `restore.failback-state`');
    expect(stdout).toContain('| `failback_site` | `sbg` | `rbx` |');
  });

  it('plans the failover direction with --failover', async () => {
    const project = liveProject(dirs.make('pra-plan-'), { failback_site: 'rbx', enable_failback_pause_mode: false, active_site: 'rbx' });
    const report = JSON.parse((await pra(['plan', '--to', 'sbg', '--failover', '--json'], { cwd: project.dir, env: project.env })).stdout);
    expect(report.plan).toBe('failover rbx -> sbg');
    expect(report.steps.slice(0, 4).map((s: { id: string }) => s.id)).toEqual(['preflight.state', 'preflight.vpgs', 'preflight.vcenters', 'handover.fence']);
  });

  it('refuses a target that is already the active site (exit 2)', async () => {
    const project = liveProject(dirs.make('pra-plan-'));
    const { code, stderr } = await pra(['plan', '--to', 'sbg'], { cwd: project.dir, env: project.env });
    expect(code).toBe(2);
    expect(stderr).toContain('sbg is already the active site');
  });
});
