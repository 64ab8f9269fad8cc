import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { portOpen, type Service } from '../core';

/**
 * OpenSSH on a high loopback port, key-only, standing in for a guest: the SSH publisher writes the
 * active-site file through it and the SSH probe runs commands on it.
 *
 * The login user is the one running the testenv (root in CI, with `PermitRootLogin prohibit-password`):
 * sshd started by a non-root user can only authenticate that user, and creating a dedicated account
 * would leave a system change behind on developer machines. Host keys, the authorized keys file and
 * the client key pairs live in `.testenv/ssh/`; `StrictModes no` because a checkout's parent
 * directories need not be root-owned.
 */
export const opensshService: Service = {
  name: 'ssh',
  debianPackages: ['openssh-server', 'openssh-client'],
  async start(ctx) {
    const key = (name: string, comment: string) => {
      const path = join(ctx.dir, name);
      if (!existsSync(path)) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path], { stdio: 'ignore' });
      return path;
    };
    const hostKey = key('ssh_host_ed25519_key', 'pra-testenv host');
    const clientKey = key('client_ed25519', 'pra-testenv client');
    const wrongKey = key('wrong_ed25519', 'pra-testenv not authorized');
    const authorizedKeys = join(ctx.dir, 'authorized_keys');
    copyFileSync(`${clientKey}.pub`, authorizedKeys);
    const user = userInfo().username;
    // sshd refuses to start without its privilege separation directory when run as root.
    if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

    const port = await ctx.freePort();
    const config = join(ctx.dir, 'sshd_config');
    writeFileSync(
      config,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${hostKey}`,
        'PidFile none',
        `AuthorizedKeysFile ${authorizedKeys}`,
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin prohibit-password',
        'UsePAM no',
        'StrictModes no',
        `AllowUsers ${user}`,
        // This one sshd stands in for every guest's own: the drill and benchmarks open hundreds of sessions at once.
        'MaxStartups 1000:30:2000',
        // bash sources ~/.bashrc for every command sshd runs unless it is a nested shell: the login user's
        // .bashrc belongs to this machine (pyenv init: ~90 ms of CPU a command), not to the guests it stands for.
        'SetEnv SHLVL=1',
        '',
      ].join('\n'),
    );
    ctx.daemon('sshd', '/usr/sbin/sshd', ['-D', '-e', '-f', config]);
    await ctx.waitForPort(port, 'sshd');
    const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKey}.pub`]).toString().split(' ')[1];
    return {
      PRA_TESTENV_SSH_PORT: String(port),
      PRA_TESTENV_SSH_USER: user,
      PRA_TESTENV_SSH_KEY: clientKey,
      PRA_TESTENV_SSH_WRONG_KEY: wrongKey,
      PRA_TESTENV_SSH_HOST_KEY_SHA256: fingerprint,
    };
  },
  async healthy(env) {
    return portOpen(Number(env.PRA_TESTENV_SSH_PORT));
  },
};
