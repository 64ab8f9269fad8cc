import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ExtraConfigKey } from '../../constructs/extra-config';
import { REPO } from '../helpers/project';
import { tempDirs } from '../helpers/tmp';

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

describe('cdktf synth (the real CLI, as users run it)', () => {
  const out = dirs.make('pra-cdktf-cli-');
  const run = spawnSync(join(REPO, 'node_modules', '.bin', 'cdktf'), ['synth', '--output', out], {
    cwd: REPO,
    env: { ...process.env, CHECKPOINT_DISABLE: '1', DISABLE_VERSION_CHECK: 'true', PRA_TOPOLOGY: '' },
    encoding: 'utf8',
    timeout: 180_000,
  });
  const stackJson = (id: string) => JSON.parse(readFileSync(join(out, 'stacks', id, 'cdk.tf.json'), 'utf8'));

  it('succeeds and writes one cdk.tf.json per stack', () => {
    expect(run.status).toBe(0);
    expect(readdirSync(join(out, 'stacks')).sort()).toEqual(['protection', 'site-rbx', 'site-sbg', 'traffic']);
  });

  it.each(['protection', 'site-rbx', 'site-sbg', 'traffic'])('declares the three failback variables in stack %s', (id) => {
    expect(Object.keys(stackJson(id).variable)).toEqual(expect.arrayContaining(['failback_site', 'enable_failback_pause_mode', 'active_site']));
  });

  it('declares the failback extra_config keys on every VM', () => {
    for (const id of ['site-rbx', 'site-sbg']) {
      for (const vm of Object.values(stackJson(id).resource.vsphere_virtual_machine) as { extra_config: object }[]) {
        expect(Object.keys(vm.extra_config)).toEqual(
          expect.arrayContaining([ExtraConfigKey.failbackEnabled, ExtraConfigKey.failbackSite, ExtraConfigKey.startupMode, ExtraConfigKey.site, ExtraConfigKey.guardSources]),
        );
      }
    }
  });

  it('writes the VPG manifest next to the stacks', () => {
    const manifest = JSON.parse(readFileSync(join(out, 'vpg-manifest.json'), 'utf8'));
    expect(manifest.vpgs.map((v: { name: string }) => v.name)).toEqual(['VPG-RBX-TO-SBG', 'VPG-SBG-TO-RBX']);
  });
});
