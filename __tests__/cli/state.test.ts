import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyExample, pra } from '../helpers/project';
import { tempDirs } from '../helpers/tmp';

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

function project(): string {
  const dir = dirs.make('pra-state-');
  copyExample(dir);
  return dir;
}
const stateIn = (dir: string) => JSON.parse(readFileSync(join(dir, 'failback.auto.tfvars.json'), 'utf8'));

describe('pra state', () => {
  it('shows the defaults when no state file exists', async () => {
    const { code, stdout } = await pra(['state', 'show', '--json'], { cwd: project() });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ exists: false, state: { failback_site: 'rbx', enable_failback_pause_mode: false, active_site: 'rbx' } });
  });

  it('saves the new state, re-synthesizes the stacks and prints what changed', async () => {
    const dir = project();
    const { code, stdout } = await pra(['state', 'set', 'enable_failback_pause_mode=true', 'active_site=sbg'], { cwd: dir });
    expect(code).toBe(0);
    expect(stateIn(dir)).toEqual({ failback_site: 'rbx', enable_failback_pause_mode: true, active_site: 'sbg' });
    const synthesized = JSON.parse(readFileSync(join(dir, 'cdktf.out', 'stacks', 'site-rbx', 'cdk.tf.json'), 'utf8'));
    expect(synthesized.variable.enable_failback_pause_mode.default).toBe(true);
    expect(existsSync(join(dir, 'cdktf.out', 'vpg-manifest.json'))).toBe(true);
    expect(stdout).toContain('| `vsphere_virtual_machine.VM-DOCKER-APP-A-RBX` | `extra_config["pra.failback.startup_mode"]` | `normal` | `suspended` |');
  });

  it('leaves the state file untouched when an assignment is invalid (exit 2)', async () => {
    const dir = project();
    const before = '{"failback_site":"rbx","enable_failback_pause_mode":false,"active_site":"sbg"}';
    writeFileSync(join(dir, 'failback.auto.tfvars.json'), before);
    const { code, stderr } = await pra(['state', 'set', 'enable_failback_pause_mode=yes', 'failback=rbx'], { cwd: dir });
    expect(code).toBe(2);
    expect(stderr).toContain('enable_failback_pause_mode=yes: must be true or false');
    expect(stderr).toContain('failback=rbx: unknown state key "failback"');
    expect(readFileSync(join(dir, 'failback.auto.tfvars.json'), 'utf8')).toBe(before);
    expect(existsSync(join(dir, 'cdktf.out'))).toBe(false);
  });

  it('asks for an action (exit 2)', async () => {
    const { code, stderr } = await pra(['state'], { cwd: project() });
    expect(code).toBe(2);
    expect(stderr).toContain('expected show or set');
  });
});
