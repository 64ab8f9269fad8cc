import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SshFilePublisher } from '../../hooks/drivers/authority/publishers/ssh';
import { AuthError, PermanentError } from '../../hooks/drivers/common/errors';
import { tempDirs } from '../helpers/tmp';
import { testenvSshTarget } from '../support/ssh-target';

const decision = { active: 'rbx', epoch: 12, by: 'alice run-7', at: '2026-05-01T10:00:00.000Z', reason: 'failback' };

describe('SSH file publisher (real OpenSSH)', () => {
  const dirs = tempDirs();
  let dir: string;
  beforeEach(() => (dir = dirs.make('pra-guest-')));
  afterEach(() => dirs.removeAll());

  it('writes the active-site file and reads back what the guest sees', async () => {
    const path = join(dir, 'etc/pra/active-site');
    const confirmations = await new SshFilePublisher([{ name: 'app-rbx-01', ssh: testenvSshTarget(), path }]).publish(decision);
    expect(confirmations).toEqual([{ guest: 'app-rbx-01', sees: { active: 'rbx', epoch: 12 } }]);
    expect(readFileSync(path, 'utf8')).toBe('active=rbx\nepoch=12\nby=alice run-7\nat=2026-05-01T10:00:00.000Z\n');
  });

  it('replaces an older file in place and leaves no temp file', async () => {
    const path = join(dir, 'active-site');
    writeFileSync(path, 'active=sbg\nepoch=11\n');
    await new SshFilePublisher([{ name: 'g', ssh: testenvSshTarget(), path }]).publish(decision);
    expect(readFileSync(path, 'utf8')).toContain('epoch=12');
    expect(readdirSync(dir)).toEqual(['active-site']);
  });

  it('keeps a newline in "by" from forging a line of the file', async () => {
    const path = join(dir, 'active-site');
    await new SshFilePublisher([{ name: 'g', ssh: testenvSshTarget(), path }]).publish({ ...decision, by: 'mallory\nactive=sbg' });
    expect(readFileSync(path, 'utf8')).toBe('active=rbx\nepoch=12\nby=mallory active=sbg\nat=2026-05-01T10:00:00.000Z\n');
  });

  it('refuses a wrong key with an AuthError for that guest only', async () => {
    const publisher = new SshFilePublisher([
      { name: 'good', ssh: testenvSshTarget(), path: join(dir, 'a') },
      { name: 'bad', ssh: testenvSshTarget({ key: 'wrong' }), path: join(dir, 'b') },
    ]);
    const [good, bad] = await publisher.publish(decision);
    expect(good).toEqual({ guest: 'good', sees: { active: 'rbx', epoch: 12 } });
    expect('error' in bad && bad.error).toBeInstanceOf(AuthError);
  });

  it('refuses a host whose key is not the pinned fingerprint', async () => {
    const [result] = await new SshFilePublisher([{ name: 'g', ssh: testenvSshTarget({ hostKeySha256: ['SHA256:notTheRightOne'] }), path: join(dir, 'a') }]).read();
    expect('error' in result && result.error.message).toMatch(/host key SHA256:\S+ is not an accepted fingerprint/);
  });

  it('reports a guest file that is not in the active-site format', async () => {
    const path = join(dir, 'active-site');
    writeFileSync(path, 'active=rbx\n');
    const [result] = await new SshFilePublisher([{ name: 'g', ssh: testenvSshTarget(), path }]).read();
    expect('error' in result && result.error).toBeInstanceOf(PermanentError);
    expect('error' in result && result.error.message).toContain('no valid epoch');
  });

  it('reports a directory it cannot write as that guest\'s error', async () => {
    const file = join(dir, 'not-a-dir');
    writeFileSync(file, '');
    const [result] = await new SshFilePublisher([{ name: 'g', ssh: testenvSshTarget(), path: join(file, 'active-site') }]).publish(decision);
    expect('error' in result && result.error.message).toMatch(/remote command failed \(exit 1\)/);
  });
});
