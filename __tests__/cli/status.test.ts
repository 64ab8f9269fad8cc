import { join } from 'node:path';
import { writeFileSync, readFileSync } from 'node:fs';
import { pra } from '../helpers/project';
import { tempDirs } from '../helpers/tmp';
import { aPendingRun } from '../support/journals';
import { liveProject } from '../support/live-project';
import { testenv } from '../support/testenv';
import { exclusive } from '../support/exclusive';

// Reads the example VMs and the Zerto simulator's default instance live: a drill running meanwhile changes both.
exclusive('vcenter-example-vms');

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const status = async (project: { dir: string; env: NodeJS.ProcessEnv }) => {
  const result = await pra(['status', '--json'], { cwd: project.dir, env: project.env });
  return { ...result, json: JSON.parse(result.stdout) };
};

describe('pra status', () => {
  it('reads every system of the topology and exits 0 when all answer', async () => {
    const project = liveProject(dirs.make('pra-status-'));
    const { code, json, stderr } = await status(project);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(json.sites.map((s: any) => [s.name, Object.keys(s.vms.value)])).toEqual([
      ['rbx', ['VM-DOCKER-APP-A-RBX', 'VM-MYSQL-APP-A-RBX']],
      ['sbg', ['VM-DOCKER-APP-B-SBG', 'VM-MYSQL-APP-B-SBG']],
    ]);
    for (const site of json.sites) for (const power of Object.values(site.vms.value)) expect(['poweredOn', 'poweredOff', 'suspended']).toContain(power);
    expect(json.vpgs.map((v: any) => [v.name, v.reading.ok, typeof v.reading.value.actualRpoSeconds])).toEqual([
      ['VPG-RBX-TO-SBG', true, 'number'],
      ['VPG-SBG-TO-RBX', true, 'number'],
    ]);
    expect(json.authority).toEqual({ ok: true, value: { backend: expect.stringContaining('authority.json'), record: null } });
    expect(json.dns.value.nameservers.length).toBe(testenv('DNS_SERVERS').split(',').length);
    expect(json.lb.value.map((s: any) => s.site).sort()).toEqual(['rbx', 'sbg']);
    expect(json.runs).toEqual({ ok: true, value: [] });
  });

  it('shows the epoch and holder of the authority record', async () => {
    const project = liveProject(dirs.make('pra-status-'));
    const record = { active: 'sbg', epoch: 7, by: 'alice', at: '2025-01-01T03:00:00.000Z', reason: 'failover after the RBX fire' };
    writeFileSync(join(project.dir, 'authority.json'), JSON.stringify(record));
    const { stdout } = await pra(['status'], { cwd: project.dir, env: project.env });
    expect(stdout).toContain('active=sbg epoch 7 (by alice at 2025-01-01T03:00:00.000Z: failover after the RBX fire)');
  });

  it('shows the other systems and exits 3 when one vCenter does not answer', async () => {
    const project = liveProject(dirs.make('pra-status-'));
    const file = join(project.dir, 'topology.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(testenv('VCENTER_RBX_URL'), 'https://127.0.0.1:9/sdk'));
    const { code, json, stderr } = await status(project);
    expect(code).toBe(3);
    expect(json.sites[0]).toMatchObject({ name: 'rbx', vms: { ok: false, error: expect.stringContaining('vcenter') } });
    expect(json.sites[1].vms.ok).toBe(true);
    expect(json.vpgs.every((v: any) => v.reading.ok)).toBe(true);
    expect(json.dns.ok && json.lb.ok && json.authority.ok).toBe(true);
    expect(stderr).toContain('1 system(s) did not answer');
  });

  it('lists a run that is neither completed nor rolled back, with its state and current step', async () => {
    const project = liveProject(dirs.make('pra-status-'));
    aPendingRun(join(project.dir, 'runs'), '20250101T030000Z-beef');
    const { json } = await status(project);
    const { stdout } = await pra(['status'], { cwd: project.dir, env: project.env });
    expect(json.runs.value).toEqual([expect.objectContaining({ id: '20250101T030000Z-beef', state: 'pendingApproval', step: 'validation.approve', operator: 'alice' })]);
    expect(stdout).toContain('20250101T030000Z-beef  pendingApproval  failback sbg -> rbx by alice, at validation.approve');
  });

  it('lists a corrupt journal apart with its file and problem, still shows the other runs, and exits 2', async () => {
    const project = liveProject(dirs.make('pra-status-'));
    const runs = join(project.dir, 'runs');
    aPendingRun(runs, '20250101T030000Z-beef');
    writeFileSync(join(runs, '20250101T040000Z-dead.jsonl'), '{"seq":1,"type":"run.started"}\ngarbage\n{"seq":3,"type":"x"}\n');
    const { code, json, stderr } = await status(project);
    expect(json.runs.value.map((r: any) => r.id)).toEqual(['20250101T030000Z-beef']);
    expect(json.unreadableJournals).toEqual([{ file: join(runs, '20250101T040000Z-dead.jsonl'), problem: 'line 2 is not valid JSON' }]);
    expect(stderr).toContain(`journal ${join(runs, '20250101T040000Z-dead.jsonl')}: line 2 is not valid JSON`);
    expect(code).toBe(2);
  });
});
