import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { guardUserData } from '../../constructs/guard-userdata';
import { REPO_ROOT } from '../../testenv/core';
import { runCloudConfig } from '../../testenv/guests/cloud-init';
import { guardSchema } from '../../topology';
import { tempDirs } from '../helpers/tmp';

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const guard = guardSchema.parse({ sources: ['file', 'etcd'], etcd: { endpoints: ['http://127.0.0.1:2379'] } });

describe("the drill's cloud-init stand-in", () => {
  it("installs the guard's fragment into the guest root, and nothing on this machine", async () => {
    const dir = dirs.make('pra-cloud-init-');
    const hostHadEtcPra = existsSync('/etc/pra');
    await runCloudConfig(guardUserData({ site: 'lyon', guard }), join(dir, 'root'), join(dir, 'scratch'));
    const root = join(dir, 'root');
    expect({
      guard: readFileSync(join(root, 'usr/local/sbin/pra-guard'), 'utf8') === readFileSync(join(REPO_ROOT, 'guard/pra-guard'), 'utf8'),
      executable: (statSync(join(root, 'usr/local/sbin/pra-guard')).mode & 0o111) !== 0,
      site: readFileSync(join(root, 'etc/pra/site'), 'utf8'),
      sources: readFileSync(join(root, 'etc/pra/guard.conf'), 'utf8').includes('sources=file,etcd\n'),
      runDir: statSync(join(root, 'run/pra-guard')).isDirectory(),
      ledgerMode: (statSync(join(root, 'var/log/pra-guard/ledger.log')).mode & 0o777).toString(8),
      hostEtcPra: existsSync('/etc/pra'),
    }).toEqual({ guard: true, executable: true, site: 'lyon\n', sources: true, runDir: true, ledgerMode: '622', hostEtcPra: hostHadEtcPra });
  });

  it('refuses a module it does not run, rather than skipping it', async () => {
    const dir = dirs.make('pra-cloud-init-');
    await expect(runCloudConfig('#cloud-config\npackages: [cron]\nruncmd: [[true]]\n', join(dir, 'root'), join(dir, 'scratch'))).rejects.toThrow(
      "uses packages, which the drill's cloud-init stand-in does not run (it runs bootcmd, write_files, runcmd)",
    );
  });

  it('refuses a document that is not a #cloud-config', async () => {
    const dir = dirs.make('pra-cloud-init-');
    await expect(runCloudConfig('#!/bin/sh\necho hi\n', join(dir, 'root'), join(dir, 'scratch'))).rejects.toThrow('is not a #cloud-config document');
  });

  it('stops at the first failing command and shows it', async () => {
    const dir = dirs.make('pra-cloud-init-');
    const text = '#cloud-config\nruncmd:\n  - [sh, -c, "exit 7"]\n  - [touch, /etc/never]\n';
    await expect(runCloudConfig(text, join(dir, 'root'), join(dir, 'scratch'))).rejects.toThrow(/failed \(7\):\n {2}\+ sh -c exit 7/);
    expect(existsSync(join(dir, 'root/etc/never'))).toBe(false);
  });
});
