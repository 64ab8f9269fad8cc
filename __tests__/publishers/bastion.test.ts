import { AuthError, PermanentError, TransientError } from '../../hooks/drivers/common/errors';
import { SshSession, withSshSession } from '../../hooks/drivers/common/ssh';
import { SshPool } from '../../hooks/drivers/common/ssh-pool';
import { freePort } from '../../testenv/core';
import { bastionForwards, testenvBastion, testenvSshTarget } from '../support/ssh-target';
import { testenv } from '../support/testenv';

/** Guests reached through a jump host (ProxyJump, one hop): the testenv's second sshd is the bastion. */
describe('ssh through a bastion', () => {
  it('runs a command on the guest through a channel the bastion forwards', async () => {
    const before = bastionForwards();
    const result = await withSshSession(testenvSshTarget({ via: testenvBastion() }), (s) => s.exec('echo through the bastion'));
    expect(result).toMatchObject({ exitCode: 0, stdout: 'through the bastion\n' });
    expect(bastionForwards()).toBe(before + 1);
  });

  it('is refused by the bastion with the guests\' key: the bastion has its own', async () => {
    await expect(SshSession.connect(testenvSshTarget({ via: testenvBastion({ key: 'guests' }) }))).rejects.toThrow(AuthError);
    await expect(SshSession.connect(testenvSshTarget({ via: testenvBastion({ key: 'guests' }) }))).rejects.toThrow(
      new RegExp(`ssh ${testenv('SSH_USER')}@127\\.0\\.0\\.1:${testenv('BASTION_PORT')}: public key refused`),
    );
  });

  it('still checks the guest\'s own host key end to end through the tunnel', async () => {
    const wrongHostKey = testenvSshTarget({ hostKeySha256: [testenv('BASTION_HOST_KEY_SHA256')], via: testenvBastion() });
    await expect(SshSession.connect(wrongHostKey)).rejects.toThrow(PermanentError);
    await expect(SshSession.connect(wrongHostKey)).rejects.toThrow(/via 127\.0\.0\.1:\d+: host key SHA256:\S+ is not an accepted fingerprint/);
  });

  it('reports a guest the bastion cannot reach as transient, naming the guest', async () => {
    const port = await freePort();
    const unreachable = SshSession.connect(testenvSshTarget({ port, via: testenvBastion() }));
    await expect(unreachable).rejects.toThrow(TransientError);
    await expect(SshSession.connect(testenvSshTarget({ port, via: testenvBastion() }))).rejects.toThrow(new RegExp(`cannot open a connection to 127\\.0\\.0\\.1:${port}`));
  });

  it('keeps one tunnelled connection per guest in the pool, and closes the bastion connection with it', async () => {
    const pool = new SshPool();
    const before = bastionForwards();
    try {
      const target = testenvSshTarget({ via: testenvBastion() });
      const outputs = await Promise.all([1, 2, 3].map((n) => pool.use(target, (s) => s.exec(`echo ${n}`))));
      expect(outputs.map((o) => o.stdout)).toEqual(['1\n', '2\n', '3\n']);
      expect(bastionForwards()).toBe(before + 1);
    } finally {
      pool.close();
    }
  });
});
