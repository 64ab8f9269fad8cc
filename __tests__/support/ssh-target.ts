import { readFileSync } from 'node:fs';
import type { SshTarget } from '../../hooks/drivers/common/ssh';
import { Secret } from '../../hooks/drivers/common/secret';
import { testenv } from './testenv';

/** The testenv's OpenSSH server as a guest, with the authorized key (or the `wrong` one). */
export function testenvSshTarget(overrides: Partial<SshTarget> & { key?: 'right' | 'wrong' } = {}): SshTarget {
  const { key = 'right', ...rest } = overrides;
  return {
    host: '127.0.0.1',
    port: Number(testenv('SSH_PORT')),
    user: testenv('SSH_USER'),
    privateKey: new Secret(readFileSync(testenv(key === 'right' ? 'SSH_KEY' : 'SSH_WRONG_KEY'), 'utf8')),
    hostKeySha256: [testenv('SSH_HOST_KEY_SHA256')],
    ...rest,
  };
}

/** The testenv's bastion (a second sshd) as a jump host, with its own key (or the guests' key, which it refuses). */
export function testenvBastion(overrides: Partial<SshTarget> & { key?: 'own' | 'guests' } = {}): SshTarget {
  const { key = 'own', ...rest } = overrides;
  return {
    host: '127.0.0.1',
    port: Number(testenv('BASTION_PORT')),
    user: testenv('SSH_USER'),
    privateKey: new Secret(readFileSync(testenv(key === 'own' ? 'BASTION_KEY' : 'SSH_KEY'), 'utf8')),
    hostKeySha256: [testenv('BASTION_HOST_KEY_SHA256')],
    ...rest,
  };
}

/** The `host:port` of every connection the testenv bastion forwarded so far (its DEBUG1 log names each direct-tcpip channel). */
export function bastionForwardTargets(): string[] {
  return [...readFileSync(testenv('BASTION_LOG'), 'utf8').matchAll(/server_request_direct_tcpip: .*target (\S+) port (\d+)/g)].map((m) => `${m[1]}:${m[2]}`);
}

export function bastionForwards(): number {
  return bastionForwardTargets().length;
}
