import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { ZertoClient } from '../../hooks/drivers/zerto/client';
import { ZertoDriver } from '../../hooks/drivers/zerto/driver';
import { join } from 'node:path';
import type { PowerState, VsphereClient } from '../../hooks/drivers/vsphere';
import { REPO } from '../helpers/project';
import { tempDirs } from '../helpers/tmp';
import { exclusive } from '../support/exclusive';
import { liveProject } from '../support/live-project';
import { restorePower, siteVcenter } from '../support/site-vcenter';
import { testenvTopology } from '../support/testenv-topology';
import { quickRetry, simEndpoint, startSim } from './sim';

exclusive('vcenter-example-vms'); // powers the example's RBX VMs on and suspends them

const dirs = tempDirs();
const RBX_VMS = ['VM-DOCKER-APP-A-RBX', 'VM-MYSQL-APP-A-RBX'];
const SBG_VMS = ['VM-DOCKER-APP-B-SBG', 'VM-MYSQL-APP-B-SBG'];
let rbx: VsphereClient;
let initial: Map<string, PowerState>;
let topologyFile: string;

/** Runs the real launcher with the environment Zerto gives a post-recovery script on the recovery site's ZVM. */
function zertoRuns(zertoEnv: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(join(REPO, 'hooks', 'zerto-post-recovery'), [], { env: { ...process.env, PRA_TOPOLOGY: topologyFile, ...zertoEnv } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

const states = async () => {
  const found = await rbx.powerStates(RBX_VMS);
  return RBX_VMS.map((vm) => found.get(vm));
};

beforeAll(async () => {
  topologyFile = join(liveProject(dirs.make('pra-post-recovery-')).dir, 'topology.yaml');
  rbx = siteVcenter('rbx');
  initial = await rbx.powerStates(RBX_VMS);
});

beforeEach(async () => {
  await Promise.all(RBX_VMS.map((vm) => rbx.ensureRunning(vm))); // as Zerto leaves them when the script runs
});

afterAll(async () => {
  await restorePower(rbx, initial);
  await rbx.close();
  dirs.removeAll();
});

describe('hooks/zerto-post-recovery', () => {
  it('suspends every recovered VM of a MoveBeforeCommit and logs each boot window as a JSON line', async () => {
    const outputDir = dirs.make('zerto-output-');
    const { code, stdout, stderr } = await zertoRuns({ ZertoOperation: 'MoveBeforeCommit', ZertoVPGName: 'VPG-SBG-TO-RBX', VmDisplayNames: 'VM-DOCKER-APP-B-SBG,VM-MYSQL-APP-B-SBG', ZertoOutputDir: outputDir });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(await states()).toEqual(['suspended', 'suspended']);
    const windows = stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.event === 'bootWindow');
    expect(windows.map((w) => w.vm).sort()).toEqual(RBX_VMS);
    for (const w of windows) expect(w).toMatchObject({ operation: 'MoveBeforeCommit', vpg: 'VPG-SBG-TO-RBX', site: 'rbx', ms: expect.any(Number) });
    expect(readFileSync(join(outputDir, 'pra-post-recovery.jsonl'), 'utf8')).toBe(stdout);
  });

  it('suspends the whole VPG when Zerto gives no VM names (Windows ZVM)', async () => {
    const { code } = await zertoRuns({ ZertoOperation: 'FailoverBeforeCommit', ZertoVPGName: 'VPG-SBG-TO-RBX' });
    expect(code).toBe(0);
    expect(await states()).toEqual(['suspended', 'suspended']);
  });

  it('leaves the VMs of a failover test running', async () => {
    const { code, stdout } = await zertoRuns({ ZertoOperation: 'Test', ZertoVPGName: 'VPG-SBG-TO-RBX' });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ event: 'skipped', operation: 'Test' });
    expect(await states()).toEqual(['poweredOn', 'poweredOn']);
  });

  it('after reverse protection flipped the VPG, suspends the VMs of its live recovery site, not the declared target', async () => {
    const sim = await startSim();
    const sbg = siteVcenter('sbg');
    const sbgInitial = await sbg.powerStates(SBG_VMS);
    try {
      const zerto = new ZertoDriver(new ZertoClient('rbx', simEndpoint(sim, 'rbx'), { retry: quickRetry }));
      await zerto.waitForBeforeCommit('VPG-SBG-TO-RBX', await zerto.move('VPG-SBG-TO-RBX'), { timeoutMs: 10_000, intervalMs: 50 });
      await zerto.waitForTask(await zerto.commit('VPG-SBG-TO-RBX', { reverseProtection: true }), { timeoutMs: 10_000, intervalMs: 50 });
      await zerto.client.close();
      const reversed = join(dirs.make('pra-post-recovery-reversed-'), 'topology.yaml');
      writeFileSync(reversed, stringify(testenvTopology(undefined, sim.urls)));
      // The reversed VPG now protects the RBX VMs toward SBG: a Move of it brings the SBG VMs up.
      const { code, stderr } = await zertoRuns({ PRA_TOPOLOGY: reversed, ZertoOperation: 'MoveBeforeCommit', ZertoVPGName: 'VPG-SBG-TO-RBX', VmDisplayNames: RBX_VMS.join(',') });
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const found = await sbg.powerStates(SBG_VMS);
      expect(SBG_VMS.map((vm) => found.get(vm))).toEqual(['suspended', 'suspended']);
      expect(await states()).toEqual(['poweredOn', 'poweredOn']);
    } finally {
      await restorePower(sbg, sbgInitial);
      await sbg.close();
      await sim.close();
    }
  });

  it('exits 2 naming the VPG when the topology does not know it', async () => {
    const { code, stderr } = await zertoRuns({ ZertoOperation: 'Move', ZertoVPGName: 'VPG-OTHER' });
    expect(code).toBe(2);
    expect(stderr).toContain('ZertoVPGName=VPG-OTHER: no such VPG');
  });
});
