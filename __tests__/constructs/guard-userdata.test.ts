import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { guardConfig, guardUserData } from '../../constructs/guard-userdata';
import { guardSchema } from '../../topology';
import { REPO_ROOT } from '../../testenv/core';

interface WrittenFile {
  path: string;
  permissions: string;
  encoding?: string;
  content: string;
}

const aGuard = (input: Record<string, unknown> = {}) => guardSchema.parse(input);
const userData = (site = 'rbx', guard = aGuard()) => guardUserData({ site, guard });
const files = (text: string): Record<string, WrittenFile> =>
  Object.fromEntries((parse(text).write_files as WrittenFile[]).map((f) => [f.path, f]));
const content = (file: WrittenFile): string => (file.encoding === 'b64' ? Buffer.from(file.content, 'base64').toString('utf8') : file.content);

describe('guardUserData', () => {
  it('is a cloud-config document', () => {
    expect(userData().startsWith('#cloud-config\n')).toBe(true);
  });

  it('installs the guard script exactly as it is in guard/pra-guard, executable', () => {
    const guard = files(userData())['/usr/local/sbin/pra-guard'];
    expect({ permissions: guard.permissions, script: content(guard) }).toEqual({ permissions: '0755', script: readFileSync(join(REPO_ROOT, 'guard/pra-guard'), 'utf8') });
  });

  it("writes the VM's site to /etc/pra/site", () => {
    expect(content(files(userData('sbg'))['/etc/pra/site'])).toBe('sbg\n');
  });

  it("writes the topology's guard settings to /etc/pra/guard.conf", () => {
    const guard = aGuard({ sources: ['guestinfo', 'file', 'etcd'], etcd: { endpoints: ['https://etcd-1:2379', 'https://etcd-2:2379'] }, deniedExitCode: 3, replayPolicy: 'allow' });
    expect(content(files(userData('rbx', guard))['/etc/pra/guard.conf'])).toBe(
      [
        '# Written by pra-failback (cloud-init). guestinfo.pra.guard.* on the VM override these keys.',
        'sources=guestinfo,file,etcd',
        'etcd_endpoints=https://etcd-1:2379,https://etcd-2:2379',
        'etcd_key=/pra/active-site',
        'etcd_timeout_ms=1000',
        'denied_exit_code=3',
        'replay_policy=allow',
        '',
      ].join('\n'),
    );
  });

  it('creates the run directory, the ledger and wraps every crontab', () => {
    const doc = parse(userData());
    expect({ runcmd: doc.runcmd, bootcmd: doc.bootcmd, tmpfiles: content(files(userData())['/etc/tmpfiles.d/pra-guard.conf']) }).toMatchSnapshot();
  });

  it('refuses a site that is not a site name, naming the value', () => {
    expect(() => userData('RBX 1')).toThrow('guardUserData: site "RBX 1" is not a site name; use the topology\'s site name, such as rbx or sbg');
  });

  it('refuses etcd as a source without etcd endpoints', () => {
    expect(() => userData('rbx', aGuard({ sources: ['etcd'] }))).toThrow(/lists etcd but guard.etcd is not set/);
  });
});

describe('guardConfig', () => {
  it('leaves etcd keys out when the topology has no etcd', () => {
    expect(guardConfig(aGuard())).not.toContain('etcd');
  });
});
