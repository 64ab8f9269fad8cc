import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ZertoClient } from '../../hooks/drivers/zerto/client';
import { ZertoDriver } from '../../hooks/drivers/zerto/driver';
import { loadTopology, vpgSpecs, type VpgManifest } from '../../topology';
import { EXAMPLE, pra as praCli } from '../helpers/project';
import { tempDirs } from '../helpers/tmp';
import { Exposure } from '../support/secret-scan';
import { testenv } from '../support/testenv';
import { simEndpoint, startSim, testSecrets, type SimHandle } from './sim';

/** Runs `pra ...` in `cwd` and returns its exit code and output (also fed to the secret scan). */
async function pra(exposure: Exposure, cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const env = { ...process.env, PRA_RBX_ZERTO_PASSWORD: testenv('ZERTO_PASSWORD'), PRA_SBG_ZERTO_PASSWORD: testenv('ZERTO_PASSWORD') };
  const { code, stdout, stderr } = await praCli(argv, { cwd, env });
  exposure.add(stdout);
  exposure.add(stderr);
  return { code, out: stdout, err: stderr };
}

/** The example topology with each site's ZVM pointed at the simulator instance. */
function simTopology(dir: string, sim: SimHandle): string {
  const doc = parse(readFileSync(EXAMPLE, 'utf8'));
  for (const site of doc.sites) {
    site.zerto = { ...site.zerto, url: sim.urls[site.name], username: testenv('ZERTO_USERNAME'), caFile: testenv('CA') };
  }
  const file = join(dir, 'topology.yaml');
  writeFileSync(file, stringify(doc));
  return file;
}

describe('pra vpg sync', () => {
  const exposure = new Exposure();
  const dirs = tempDirs();
  let sim: SimHandle;
  let dir: string;

  beforeEach(async () => {
    sim = await startSim({ withoutVpgs: ['VPG-SBG-TO-RBX'] });
    dir = dirs.make('pra-vpg-sync-');
    simTopology(dir, sim);
  });
  afterEach(async () => {
    await sim.close();
    dirs.removeAll();
  });

  it('creates a missing VPG, then finds nothing to change', async () => {
    const first = await pra(exposure, dir, 'vpg', 'sync');
    expect(first.code).toBe(0);
    expect(first.out).toContain('- VPG-SBG-TO-RBX (zerto rbx): created\n    protected site: - -> sbg\n');
    expect(first.out).toContain('    re-IP VM-DOCKER-APP-B-SBG: - -> 10.100.0.10/255.255.255.0 gw 10.100.0.1\n    re-IP VM-MYSQL-APP-B-SBG: - -> 10.100.0.11/255.255.255.0 gw 10.100.0.1\n');
    // H13: the existing VPG did not re-IP its VMs into SBG's subnet.
    expect(first.out).toContain(
      '- VPG-RBX-TO-SBG (zerto sbg): edited\n    re-IP VM-DOCKER-APP-A-RBX: - -> 10.200.0.10/255.255.255.0 gw 10.200.0.1\n    re-IP VM-MYSQL-APP-A-RBX: - -> 10.200.0.11/255.255.255.0 gw 10.200.0.1\n',
    );
    const second = await pra(exposure, dir, 'vpg', 'sync');
    expect(second.out.split('\n').at(-2)).toBe('created 0, edited 0, unchanged 2, left alone 0');
  });

  it('changes nothing with --dry-run and says what it would do', async () => {
    const run = await pra(exposure, dir, 'vpg', 'sync', '--dry-run');
    expect(run.out).toContain('- VPG-SBG-TO-RBX (zerto rbx): would create');
    expect((await sim.state()).vpgs.map((v) => v.VpgName)).toEqual(['VPG-RBX-TO-SBG']);
  });

  it('edits the RPO and journal the manifest changed, and reports them as JSON', async () => {
    await pra(exposure, dir, 'vpg', 'sync');
    const topology = loadTopology(join(dir, 'topology.yaml'));
    const manifest: VpgManifest = { topology: topology.name, vpgs: vpgSpecs(topology).map((s) => (s.name === 'VPG-SBG-TO-RBX' ? { ...s, rpoTargetSeconds: 120, journalHours: 48 } : s)) };
    mkdirSync(join(dir, 'cdktf.out'));
    writeFileSync(join(dir, 'cdktf.out', 'vpg-manifest.json'), JSON.stringify(manifest));
    const run = await pra(exposure, dir, 'vpg', 'sync', '--json');
    const report = JSON.parse(run.out);
    expect(report.vpgs.find((v: { name: string }) => v.name === 'VPG-SBG-TO-RBX')).toEqual({
      zvm: 'rbx',
      action: 'edit',
      name: 'VPG-SBG-TO-RBX',
      changes: [
        { field: 'RPO', from: '300 s', to: '120 s' },
        { field: 'journal', from: '24 h', to: '48 h' },
      ],
    });
    expect((await sim.state()).vpgs.find((v) => v.VpgName === 'VPG-SBG-TO-RBX')?.ConfiguredRpoSeconds).toBe(120);
  });

  it('leaves alone a VPG that a failover with reverse protection flipped', async () => {
    await sim.control('PUT', '/delays', { syncMs: 10, commitMs: 10, reverseProtectionMs: 10 });
    await pra(exposure, dir, 'vpg', 'sync');
    const zerto = new ZertoDriver(new ZertoClient('rbx', simEndpoint(sim, 'rbx'), { log: exposure.log }));
    const wait = { timeoutMs: 10_000, intervalMs: 20 };
    await zerto.waitForVpg('VPG-SBG-TO-RBX', 'MeetingSLA', (v) => v.statusName === 'MeetingSLA', wait);
    await zerto.waitForBeforeCommit('VPG-SBG-TO-RBX', await zerto.move('VPG-SBG-TO-RBX'), wait);
    await zerto.waitForTask(await zerto.commit('VPG-SBG-TO-RBX', { reverseProtection: true }), wait);
    await zerto.client.close();
    const run = await pra(exposure, dir, 'vpg', 'sync');
    expect(run.out).toContain('- VPG-SBG-TO-RBX (zerto rbx): left alone: reversed (rbx -> sbg live, declared sbg -> rbx): a failover with reverse protection flipped it');
  });

  it('matches topology sites to the Zerto sites named in zerto.siteName', async () => {
    const doc = parse(readFileSync(join(dir, 'topology.yaml'), 'utf8'));
    const renamed: Record<string, string> = { rbx: 'roubaix', sbg: 'strasbourg' };
    for (const site of doc.sites) Object.assign(site, { name: renamed[site.name], zerto: { ...site.zerto, siteName: site.name } });
    for (const vm of doc.vms) vm.site = renamed[vm.site];
    for (const vpg of doc.vpgs) Object.assign(vpg, { source: renamed[vpg.source], target: renamed[vpg.target] });
    writeFileSync(join(dir, 'topology.yaml'), stringify(doc));
    const run = await pra(exposure, dir, 'vpg', 'sync', '--dry-run');
    expect(run.out).toContain('- VPG-SBG-TO-RBX (zerto roubaix): would create');
    expect(run.out).toContain('- VPG-RBX-TO-SBG (zerto strasbourg): would edit');
  });

  it('writes each VM\'s failover address into its NIC settings, with the replace-IP flag Zerto needs', async () => {
    await pra(exposure, dir, 'vpg', 'sync');
    const zerto = new ZertoDriver(new ZertoClient('rbx', simEndpoint(sim, 'rbx'), { log: exposure.log }));
    try {
      const vpg = await zerto.getVpg('VPG-SBG-TO-RBX');
      const vm = (await zerto.vms('VPG-SBG-TO-RBX')).find((v) => v.name === 'VM-DOCKER-APP-B-SBG')!;
      const settingsId = (await zerto.client.post('/v1/vpgSettings', { VpgIdentifier: vpg.id })) as string;
      const [nic] = (await zerto.client.get(`/v1/vpgSettings/${settingsId}/vms/${vm.id}/nics`)) as { Failover: { Hypervisor: Record<string, unknown> } }[];
      await zerto.client.delete(`/v1/vpgSettings/${settingsId}`);
      expect(nic.Failover.Hypervisor).toMatchObject({ ShouldReplaceIpConfiguration: true, IpConfig: { IsDhcp: false, StaticIp: '10.100.0.10', SubnetMask: '255.255.255.0', Gateway: '10.100.0.1' } });
    } finally {
      await zerto.client.close();
    }
  });

  it('refuses a manifest synthesized for another topology', async () => {
    mkdirSync(join(dir, 'cdktf.out'));
    writeFileSync(join(dir, 'cdktf.out', 'vpg-manifest.json'), JSON.stringify({ topology: 'other-app', vpgs: [] }));
    const run = await pra(exposure, dir, 'vpg', 'sync');
    expect(run.code).toBe(2);
    expect(run.err).toContain('synthesized for topology "other-app", not app');
  });

  it('leaves none of the test secrets in its output', () => {
    expect(exposure.lines.length).toBeGreaterThan(5);
    expect(exposure.leaked(testSecrets())).toEqual([]);
  });
});
