import { join } from 'node:path';
import { loadTopology } from '../../topology';

describe('the shipped example topology', () => {
  it('loads with the seeds four VMs and two VPGs', () => {
    const t = loadTopology(join(__dirname, '../../examples/ovh-rbx-sbg.yaml'));
    expect(t.vms.map((v) => `${v.name} ${v.ip}`)).toEqual([
      'VM-DOCKER-APP-A-RBX 10.100.0.10',
      'VM-MYSQL-APP-A-RBX 10.100.0.11',
      'VM-DOCKER-APP-B-SBG 10.200.0.10',
      'VM-MYSQL-APP-B-SBG 10.200.0.11',
    ]);
    expect(t.vpgs.map((g) => g.name)).toEqual(['VPG-RBX-TO-SBG', 'VPG-SBG-TO-RBX']);
    expect(t.traffic.dns).toMatchObject({ zone: 'example.com', record: 'app', ttlSeconds: 60 });
  });
});
