import { AuthError } from '../../hooks/drivers/common/errors';
import type { SshSession } from '../../hooks/drivers/common/ssh';
import { SshPool } from '../../hooks/drivers/common/ssh-pool';
import { testenvSshTarget } from '../support/ssh-target';

/** The pid of the sshd process serving the connection a command runs on (its shell's parent). */
async function connectionPid(session: SshSession): Promise<string> {
  const result = await session.exec('echo $PPID');
  return result.stdout.trim();
}

describe('SSH connection pool (real OpenSSH)', () => {
  let pool: SshPool;
  afterEach(() => pool.close());

  it('runs the uses of one guest over one connection', async () => {
    pool = new SshPool();
    const target = testenvSshTarget();
    const first = await pool.use(target, connectionPid);
    const second = await pool.use(target, connectionPid);
    const concurrent = await Promise.all([1, 2, 3].map(() => pool.use(target, connectionPid)));
    expect(new Set([first, second, ...concurrent]).size).toBe(1);
  });

  it('runs at most maxSessions commands at once on a connection', async () => {
    pool = new SshPool({ maxSessions: 2 });
    let running = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 6 }, () =>
        pool.use(testenvSshTarget(), async (session) => {
          most = Math.max(most, ++running);
          await session.exec('sleep 0.2');
          running--;
        }),
      ),
    );
    expect(most).toBe(2);
  });

  it('never shares a connection between different keys', async () => {
    pool = new SshPool();
    await expect(pool.use(testenvSshTarget(), connectionPid)).resolves.toMatch(/^\d+$/);
    await expect(pool.use(testenvSshTarget({ key: 'wrong' }), connectionPid)).rejects.toBeInstanceOf(AuthError);
  });

  it('reconnects after the connection drops between two uses', async () => {
    pool = new SshPool();
    const target = testenvSshTarget();
    const first = await pool.use(target, connectionPid);
    // Kills the sshd process of this connection, as a guest reboot would.
    await pool.use(target, (session) => session.exec(`kill ${first}`).catch(() => undefined));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const second = await pool.use(target, connectionPid);
    expect(second).toMatch(/^\d+$/);
    expect(second).not.toBe(first);
  });

  it('closes a connection left idle and opens a new one on the next use', async () => {
    pool = new SshPool({ idleMs: 100 });
    const target = testenvSshTarget();
    const first = await pool.use(target, connectionPid);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await pool.use(target, connectionPid)).not.toBe(first);
  });
});
