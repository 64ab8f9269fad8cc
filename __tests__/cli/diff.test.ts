import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyExample, pra } from '../helpers/project';
import { tempDirs } from '../helpers/tmp';

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

/** A project directory holding the example topology and, optionally, a state file. */
function project(state?: Record<string, unknown>): string {
  const dir = dirs.make('pra-diff-');
  copyExample(dir);
  if (state) writeFileSync(join(dir, 'failback.auto.tfvars.json'), JSON.stringify(state));
  return dir;
}
const failedOver = { failback_site: 'sbg', enable_failback_pause_mode: true, active_site: 'sbg' };

describe('pra diff', () => {
  it('shows the startup_mode change of each RBX VM when the failback targets RBX', async () => {
    const { code, stdout } = await pra(['diff', '--to-state', 'failback_site=rbx'], { cwd: project(failedOver) });
    expect(code).toBe(1); // changes shown, as diff(1)
    expect(stdout).toContain('| `failback_site` | `sbg` | `rbx` |');
    expect(stdout).toContain('##### Stack `site-rbx`');
    for (const vm of ['VM-DOCKER-APP-A-RBX', 'VM-MYSQL-APP-A-RBX']) {
      expect(stdout).toContain(`| \`vsphere_virtual_machine.${vm}\` | \`extra_config["pra.failback.startup_mode"]\` | \`normal\` | \`suspended\` |`);
    }
    expect(stdout).not.toContain('site-sbg');
    expect(stdout).not.toContain('traffic');
  });

  it('shows the record target moving to the new active site', async () => {
    const { stdout } = await pra(['diff', '--to-state', 'active_site=rbx'], { cwd: project(failedOver) });
    expect(stdout).toContain('| `ovh_domain_zone_record.active-site-record` | `target` | `198.51.100.20` | `203.0.113.10` |');
  });

  it('prints the same review as JSON', async () => {
    const { code, stdout } = await pra(['diff', '--json', '--to-state', 'failback_site=rbx'], { cwd: project(failedOver) });
    expect(code).toBe(1);
    const diff = JSON.parse(stdout);
    expect(diff.variables).toEqual([{ variable: 'failback_site', from: 'sbg', to: 'rbx' }]);
    expect(diff.resources).toEqual([
      {
        stack: 'site-rbx',
        address: 'vsphere_virtual_machine.VM-DOCKER-APP-A-RBX',
        action: 'update',
        attributes: [
          { attribute: 'extra_config["pra.failback.enabled"]', from: 'false', to: 'true' },
          { attribute: 'extra_config["pra.failback.startup_mode"]', from: 'normal', to: 'suspended' },
        ],
      },
      {
        stack: 'site-rbx',
        address: 'vsphere_virtual_machine.VM-MYSQL-APP-A-RBX',
        action: 'update',
        attributes: [
          { attribute: 'extra_config["pra.failback.enabled"]', from: 'false', to: 'true' },
          { attribute: 'extra_config["pra.failback.startup_mode"]', from: 'normal', to: 'suspended' },
        ],
      },
    ]);
  });

  it('says so when the proposed state changes nothing (exit 0)', async () => {
    const { code, stdout } = await pra(['diff', '--to-state', 'failback_site=sbg'], { cwd: project(failedOver) });
    expect(code).toBe(0);
    expect(stdout).toContain('**pra diff: no change**');
    expect(stdout).toContain('No variable changes.');
    expect(stdout).toContain('No resource changes.');
  });

  it('refuses an assignment to an unknown site (exit 2)', async () => {
    const { code, stderr } = await pra(['diff', '--to-state', 'active_site=par'], { cwd: project() });
    expect(code).toBe(2);
    expect(stderr).toContain('active_site=par: must be a site of topology app: rbx | sbg');
  });
});
