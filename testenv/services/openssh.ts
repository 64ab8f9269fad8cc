import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { portOpen, type Service, type ServiceContext } from '../core';

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
const GUEST_ALIASES = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6', '127.0.0.7', '127.0.0.8', '127.0.0.9'];

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

    const port = await startSshd(ctx, 'sshd', { hostKey, authorizedKeys, user }, [
      // More loopback addresses of the same sshd: guests with addresses of their own (the bastion drill
      // tells them apart in the bastion's log). Linux routes all of 127.0.0.0/8 to lo.
      ...GUEST_ALIASES.map((address) => `ListenAddress ${address}`),
      // This one sshd stands in for every guest's own: the drill and benchmarks open hundreds of sessions at once.
      'MaxStartups 1000:30:2000',
      // bash sources ~/.bashrc for every command sshd runs unless it is a nested shell: the login user's
      // .bashrc belongs to this machine (pyenv init: ~90 ms of CPU a command), not to the guests it stands for.
      'SetEnv SHLVL=1',
    ]);
    const bastion = await startBastion(ctx, user, key);
    return {
      ...bastion,
      PRA_TESTENV_SSH_PORT: String(port),
      PRA_TESTENV_SSH_USER: user,
      PRA_TESTENV_SSH_KEY: clientKey,
      PRA_TESTENV_SSH_WRONG_KEY: wrongKey,
      PRA_TESTENV_SSH_HOST_KEY_SHA256: fingerprintOf(`${hostKey}.pub`),
      PRA_TESTENV_SSH_ALIASES: GUEST_ALIASES.join(','),
    };
  },
  async healthy(env) {
    // An environment from before the bastion existed is restarted whole.
    if (!env.PRA_TESTENV_BASTION_PORT) return false;
    return (await portOpen(Number(env.PRA_TESTENV_SSH_PORT))) && portOpen(Number(env.PRA_TESTENV_BASTION_PORT));
  },
};

/**
 * A second sshd standing for the jump host production guests sit behind (OpenSSH `ProxyJump`): its own
 * host key and its own authorized key (the guests' key is refused here, the bastion's key on the guests),
 * TCP forwarding on, no shell needed. `LogLevel DEBUG1` logs each forwarded connection ("direct-tcpip"):
 * the bastion drill counts them to prove every guest was reached through it.
 */
async function startBastion(ctx: ServiceContext, user: string, key: (name: string, comment: string) => string): Promise<Record<string, string>> {
  const hostKey = key('bastion_host_ed25519_key', 'pra-testenv bastion host');
  const clientKey = key('bastion_client_ed25519', 'pra-testenv bastion client');
  const authorizedKeys = join(ctx.dir, 'bastion_authorized_keys');
  copyFileSync(`${clientKey}.pub`, authorizedKeys);
  const port = await startSshd(ctx, 'bastion', { hostKey, authorizedKeys, user }, ['AllowTcpForwarding yes', 'MaxStartups 1000:30:2000', 'LogLevel DEBUG1']);
  return {
    PRA_TESTENV_BASTION_PORT: String(port),
    PRA_TESTENV_BASTION_KEY: clientKey,
    PRA_TESTENV_BASTION_HOST_KEY_SHA256: fingerprintOf(`${hostKey}.pub`),
    PRA_TESTENV_BASTION_LOG: join(ctx.dir, 'bastion.log'),
  };
}

/** Starts a key-only sshd on a free loopback port as the daemon `name`; `extra` lines end its config. */
async function startSshd(ctx: ServiceContext, name: string, keys: { hostKey: string; authorizedKeys: string; user: string }, extra: readonly string[]): Promise<number> {
  const port = await ctx.freePort();
  const config = join(ctx.dir, `${name}_config`);
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${keys.hostKey}`,
      'PidFile none',
      `AuthorizedKeysFile ${keys.authorizedKeys}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'UsePAM no',
      'StrictModes no',
      `AllowUsers ${keys.user}`,
      ...extra,
      '',
    ].join('\n'),
  );
  ctx.daemon(name, '/usr/sbin/sshd', ['-D', '-e', '-f', config]);
  await ctx.waitForPort(port, name);
  return port;
}

/** `SHA256:...` as `ssh-keygen -l -E sha256` prints it. */
function fingerprintOf(publicKey: string): string {
  return execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', publicKey]).toString().split(' ')[1];
}
