import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateTopologyInput, type TopologyInput } from '../../topology';
import { pra } from '../helpers/project';
import { tempDirs } from '../helpers/tmp';

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=pra test', '-c', 'user.email=pra@example.com', ...args], { cwd, encoding: 'utf8' });

/** 4 VM pairs, VPGs of 2 per direction: VM-APP-0001-RBX sits in VPG-RBX-TO-SBG-001 with VM-APP-0002-RBX. */
function baseTopology(): TopologyInput {
  return generateTopologyInput({ vms: 8, vmsPerVpg: 2 });
}
const baseState = { failback_site: 'rbx', enable_failback_pause_mode: false, active_site: 'sbg' };

function commit(dir: string, topology: TopologyInput, state: object, message: string): void {
  writeFileSync(join(dir, 'topology.json'), `${JSON.stringify(topology, null, 2)}\n`);
  writeFileSync(join(dir, 'failback.auto.tfvars.json'), `${JSON.stringify(state, null, 2)}\n`);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
}

/** A throwaway repository: a base commit, then a head commit with the four changes of a typical PR. */
function repository(): string {
  const dir = dirs.make('pra-diff-base-');
  git(dir, 'init', '-q', '-b', 'main');
  commit(dir, baseTopology(), baseState, 'base');
  const head = baseTopology();
  // (a) a VM added to rbx
  head.vms.push({ name: 'VM-EXTRA-RBX', site: 'rbx', role: 'docker', ip: '10.100.9.9', template: 'debian-12-docker', cpus: 2, memoryMiB: 2048, protected: false });
  // (b) VM-APP-0001-RBX moved from VPG-RBX-TO-SBG-001 to VPG-RBX-TO-SBG-002
  const [first, second] = (head.vpgs ?? []).filter((v) => v.source === 'rbx');
  first.vms = first.vms.filter((vm) => vm !== 'VM-APP-0001-RBX');
  second.vms = [...second.vms, 'VM-APP-0001-RBX'];
  // (d) a guard setting
  head.guard = { sources: ['guestinfo', 'file'], replayPolicy: 'allow' };
  // (c) pause mode flipped on
  commit(dir, head, { ...baseState, enable_failback_pause_mode: true }, 'head');
  return dir;
}

function untouched(dir: string): () => void {
  const status = git(dir, 'status', '--porcelain=v2', '--untracked-files=all');
  const index = readFileSync(join(dir, '.git', 'index'));
  const mtimes = ['topology.json', 'failback.auto.tfvars.json'].map((f) => statSync(join(dir, f)).mtimeMs);
  return () => {
    expect(git(dir, 'status', '--porcelain=v2', '--untracked-files=all')).toBe(status);
    expect(readFileSync(join(dir, '.git', 'index')).equals(index)).toBe(true);
    expect(['topology.json', 'failback.auto.tfvars.json'].map((f) => statSync(join(dir, f)).mtimeMs)).toEqual(mtimes);
  };
}

describe('pra diff --base REF', () => {
  const cli = (dir: string, ...argv: string[]) => pra(['diff', '--topology', 'topology.json', ...argv], { cwd: dir });

  it('shows a VM added, a VM moved between VPGs, pause mode and a guard setting, each in its stack; tree and index untouched', async () => {
    const dir = repository();
    const check = untouched(dir);
    const { code, stdout, stderr } = await cli(dir, '--base', 'HEAD~1', '--json');
    expect(stderr).toBe('');
    expect(code).toBe(1);
    check();
    const diff = JSON.parse(stdout);
    const change = (stack: string, address: string) => diff.resources.find((r: any) => r.stack === stack && r.address === address);
    expect(diff.base).toEqual({ ref: 'HEAD~1', commit: git(dir, 'rev-parse', 'HEAD~1').trim() });
    // (a)
    expect(change('site-rbx', 'vsphere_virtual_machine.VM-EXTRA-RBX')).toEqual({ stack: 'site-rbx', address: 'vsphere_virtual_machine.VM-EXTRA-RBX', action: 'create', attributes: [] });
    expect(diff.resources.filter((r: any) => r.action === 'create').map((r: any) => r.address)).toEqual(['vsphere_virtual_machine.VM-EXTRA-RBX']);
    // (b)
    expect(diff.vpgs).toEqual([
      { name: 'VPG-RBX-TO-SBG-001', action: 'update', vmsAdded: [], vmsRemoved: ['VM-APP-0001-RBX'], settings: [] },
      { name: 'VPG-RBX-TO-SBG-002', action: 'update', vmsAdded: ['VM-APP-0001-RBX'], vmsRemoved: [], settings: [] },
    ]);
    expect(diff.resources.filter((r: any) => r.stack === 'protection').map((r: any) => r.address)).toEqual(['terraform_data.VPG-RBX-TO-SBG-001', 'terraform_data.VPG-RBX-TO-SBG-002']);
    // (c)
    expect(diff.variables).toEqual([{ variable: 'enable_failback_pause_mode', from: false, to: true }]);
    expect(change('site-rbx', 'vsphere_virtual_machine.VM-APP-0002-RBX').attributes).toContainEqual({ attribute: 'extra_config["pra.failback.startup_mode"]', from: 'normal', to: 'suspended' });
    expect(diff.critical).toContainEqual({ kind: 'power', stack: 'site-rbx', address: 'vsphere_virtual_machine.VM-APP-0002-RBX', attribute: 'extra_config["pra.failback.startup_mode"]', from: 'normal', to: 'suspended' });
    expect(change('site-sbg', 'vsphere_virtual_machine.VM-APP-0002-SBG').attributes.map((a: any) => a.attribute)).not.toContain('extra_config["pra.failback.startup_mode"]');
    // (d): decoded, in both site stacks
    expect(diff.userData.map((u: any) => u.stack)).toEqual(['site-rbx', 'site-sbg']);
    for (const { lines } of diff.userData) expect(lines.filter((l: string) => /^[-+]/.test(l))).toEqual(['-      | replay_policy=deny', '+      | replay_policy=allow']);
    expect(change('site-sbg', 'vsphere_virtual_machine.VM-APP-0003-SBG').attributes).toContainEqual({ attribute: 'extra_config["guestinfo.pra.guard.replay_policy"]', from: 'deny', to: 'allow' });
  });

  it('leads the Markdown with what must not be missed, and folds the rest', async () => {
    const dir = repository();
    const { code, stdout } = await cli(dir, '--base', 'HEAD~1');
    expect(code).toBe(1);
    const [before, after] = stdout.split('<details>');
    expect(before).toContain('**pra diff: 1 to create, ');
    expect(before).toContain('#### Must not miss');
    expect(before).toContain('| `vsphere_virtual_machine.VM-APP-0002-RBX` | `extra_config["pra.failback.startup_mode"]` | `normal` | `suspended` |');
    expect(after).toContain('| `VPG-RBX-TO-SBG-002` | VMs added: VM-APP-0001-RBX |');
    expect(after).toContain('```diff\n@@\n');
    expect(after).toContain('+      | replay_policy=allow');
    expect(after).toContain('| `vsphere_virtual_machine.VM-EXTRA-RBX` | _(create)_ | | |');
  });

  it('applies --to-state on top of the head', async () => {
    const dir = repository();
    const { stdout } = await cli(dir, '--base', 'HEAD~1', '--to-state', 'active_site=rbx', '--json');
    const diff = JSON.parse(stdout);
    expect(diff.variables).toContainEqual({ variable: 'active_site', from: 'sbg', to: 'rbx' });
    expect(diff.critical).toContainEqual(expect.objectContaining({ kind: 'dns-target', stack: 'traffic', from: '198.51.100.20', to: '203.0.113.10' }));
  });

  it('reviews the uncommitted working tree, a destroyed VM first', async () => {
    const dir = repository();
    writeFileSync(join(dir, 'topology.json'), JSON.stringify(baseTopology())); // VM-EXTRA-RBX removed, not committed
    const check = untouched(dir);
    const { code, stdout } = await cli(dir, '--base', 'HEAD');
    expect(code).toBe(1);
    check();
    const [critical] = stdout.split('<details>');
    expect(critical).toContain('Destroyed: `site-rbx: vsphere_virtual_machine.VM-EXTRA-RBX`');
    expect(critical).toMatch(/\*\*pra diff: 0 to create, \d+ to update, 1 to destroy;/);
  });

  it('exits 0 with no change', async () => {
    const dir = repository();
    const { code, stdout } = await cli(dir, '--base', 'HEAD');
    expect(code).toBe(0);
    expect(stdout).toContain('**pra diff: no change**');
  });

  it('refuses an unknown revision (exit 2), touching nothing', async () => {
    const dir = repository();
    const check = untouched(dir);
    const { code, stderr, stdout } = await cli(dir, '--base', 'origin/nope');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('pra diff --base origin/nope: unknown revision');
    check();
  });

  it('says when the base does not synthesize and shows the head alone', async () => {
    const dir = dirs.make('pra-diff-base-');
    git(dir, 'init', '-q', '-b', 'main');
    commit(dir, { ...baseTopology(), vpgs: [] } as TopologyInput, baseState, 'base refused by policy: protected VMs in no VPG');
    commit(dir, baseTopology(), baseState, 'head');
    const { code, stdout } = await cli(dir, '--base', 'HEAD~1', '--json');
    expect(code).toBe(1);
    const diff = JSON.parse(stdout);
    expect(diff.base.unsynthesizable).toMatch(/VPG/);
    expect(diff.summary).toMatch(/^pra diff: base HEAD~1 does not synthesize, head shown alone; \d+ to create, 0 to update, 0 to destroy/);
    expect(diff.resources.filter((r: any) => r.action !== 'create')).toEqual([]);
    expect(diff.resources.filter((r: any) => r.address.startsWith('vsphere_virtual_machine.'))).toHaveLength(8);
  });
});
