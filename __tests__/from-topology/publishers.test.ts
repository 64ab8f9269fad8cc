import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { publishersFromTopology } from '../../hooks/drivers/authority/publishers/from-topology';
import type { Publisher } from '../../hooks/drivers/authority/publishers';
import { PermanentError } from '../../hooks/drivers/common/errors';
import type { VsphereClient } from '../../hooks/drivers/vsphere';
import { vcentersFromTopology } from '../../hooks/drivers/vsphere/from-topology';
import { provisionVms } from '../../testenv/vcsim/provision';
import type { Topology } from '../../topology';
import { tempDirs } from '../helpers/tmp';
import { removeEtcdKeys, testEtcdKey } from '../support/etcd';
import { testenv } from '../support/testenv';
import { testenvTopology } from '../support/testenv-topology';

/**
 * The guard's sources a topology declares become publishers over its VMs: guestinfo through each site's
 * vCenter simulator, the active-site file over the testenv's OpenSSH (each guest's guardRoot a temp
 * directory), the etcd key on the testenv's etcd.
 */

const decision = { active: 'none', epoch: 5, by: 'alice run-3', at: '2026-05-01T10:00:00.000Z', reason: 'handover' };

describe('publishers from the topology', () => {
  const dirs = tempDirs();
  const run = randomBytes(3).toString('hex');
  const etcdKey = testEtcdKey('active-site');
  const roots: Record<string, string> = {};
  let topology: Topology;
  let vcenters: Record<string, VsphereClient>;
  let publishers: Publisher[];

  beforeAll(async () => {
    const guests = [
      { name: `TEST-PUB-${run}-RBX`, site: 'rbx', ip: '10.100.0.50' },
      { name: `TEST-PUB-${run}-SBG`, site: 'sbg', ip: '10.200.0.50' },
    ];
    for (const guest of guests) {
      roots[guest.name] = dirs.make('pra-guest-root-');
      await provisionVms(process.env as Record<string, string>, guest.site, [{ name: guest.name, power: 'poweredOn' }]);
    }
    topology = testenvTopology((t) => {
      t.vms = guests.map((g) => ({
        ...g,
        role: 'app',
        template: 'debian-12',
        cpus: 1,
        memoryMiB: 1024,
        protected: false,
        guest: { sshHost: '127.0.0.1', sshPort: Number(testenv('SSH_PORT')), guardRoot: roots[g.name] },
      }));
      t.vpgs = [];
      t.checks = {};
      t.guard = {
        sources: ['guestinfo', 'file', 'etcd'],
        etcd: { endpoints: [testenv('ETCD_ENDPOINT')], key: etcdKey },
        ssh: { user: testenv('SSH_USER'), privateKey: { file: testenv('SSH_KEY') }, hostKeySha256: [testenv('SSH_HOST_KEY_SHA256')] },
      };
    });
    vcenters = vcentersFromTopology(topology);
    publishers = publishersFromTopology(topology, vcenters);
  });
  afterAll(async () => {
    await Promise.all([...publishers.map((p) => p.close?.()), ...Object.values(vcenters).map((c) => c.close())]);
    await removeEtcdKeys(etcdKey);
    dirs.removeAll();
  });

  it('builds one publisher per guard source, in the declared order', () => {
    expect(publishers.map((p) => p.source)).toEqual(['guestinfo', 'file', 'etcd']);
  });

  it('has every source confirm the decision for every guest', async () => {
    const seen = await Promise.all(publishers.map((p) => p.publish(decision)));
    expect(seen.flat().map((c) => ('sees' in c ? `${c.guest} ${c.sees.active}@${c.sees.epoch}` : `${c.guest} ${c.error.message}`))).toEqual([
      `TEST-PUB-${run}-RBX none@5`,
      `TEST-PUB-${run}-SBG none@5`,
      `TEST-PUB-${run}-RBX none@5`,
      `TEST-PUB-${run}-SBG none@5`,
      `etcd ${testenv('ETCD_ENDPOINT')} none@5`,
    ]);
  });

  it("writes the active-site file under each guest's guard root", async () => {
    const file = publishers.find((p) => p.source === 'file')!;
    await file.publish(decision);
    expect(readFileSync(join(roots[`TEST-PUB-${run}-SBG`], 'etc/pra/active-site'), 'utf8')).toContain('active=none\nepoch=5\n');
  });

  it('refuses a file source without guard.ssh, naming the field to add', () => {
    const withoutSsh = { ...topology, guard: { ...topology.guard, ssh: undefined } };
    expect(() => publishersFromTopology(withoutSsh, vcenters)).toThrow(PermanentError);
    expect(() => publishersFromTopology(withoutSsh, vcenters)).toThrow('guard.ssh is not set: add { user, privateKey, hostKeySha256 }');
  });
});
