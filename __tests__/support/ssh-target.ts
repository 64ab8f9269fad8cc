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
