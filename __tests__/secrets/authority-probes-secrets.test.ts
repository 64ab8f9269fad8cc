import { readFileSync } from 'node:fs';
import { SshFilePublisher } from '../../hooks/drivers/authority/publishers/ssh';
import { SshSession } from '../../hooks/drivers/common/ssh';
import { Secret } from '../../hooks/drivers/common/secret';
import { probeMysql, probeSshCommand } from '../../hooks/drivers/probes';
import { captureOutput, expectNoSecrets } from '../support/secret-scan';
import { testenvSshTarget } from '../support/ssh-target';
import { testenv } from '../support/testenv';

describe('secrets never leak from the authority publishers and the probes', () => {
  const secrets = () => ({
    'MySQL password': testenv('MYSQL_PASSWORD'),
    'SSH private key': readFileSync(testenv('SSH_KEY'), 'utf8'),
    'SSH wrong private key': readFileSync(testenv('SSH_WRONG_KEY'), 'utf8'),
  });
  const mysql = () => ({ host: '127.0.0.1', port: Number(testenv('MYSQL_PORT')), user: testenv('MYSQL_USER') });

  it('has a scanner that catches one line of a key inside an error', () => {
    const keyLine = secrets()['SSH private key'].split('\n')[2];
    expect(() => expectNoSecrets(secrets(), { error: new Error(`bad key near ${keyLine}`) })).toThrow('SSH private key appears in error');
  });

  it('keeps the MySQL password out of results, good or bad', async () => {
    const { result: outcomes, output } = await captureOutput(async () => ({
      ok: await probeMysql({ ...mysql(), password: new Secret(testenv('MYSQL_PASSWORD')), schemas: ['app_a', 'app_missing'] }),
      // The real password with a suffix: a driver echoing what it sent would print the real one.
      denied: await probeMysql({ ...mysql(), password: new Secret(`${testenv('MYSQL_PASSWORD')}x`) }),
    }));
    expect(outcomes.denied.ok).toBe(false);
    expectNoSecrets(secrets(), { outcomes, output });
  });

  it('keeps SSH keys out of confirmations, probe results and thrown errors', async () => {
    const { result, output } = await captureOutput(async () => ({
      published: await new SshFilePublisher([{ name: 'wrong-key', ssh: testenvSshTarget({ key: 'wrong' }), path: '/tmp/pra-never-written' }]).publish({
        active: 'rbx', epoch: 1, by: 'test', at: '2026-05-01T00:00:00Z', reason: 'secret scan',
      }),
      probe: await probeSshCommand({ target: testenvSshTarget(), command: 'exit 2' }),
      unparsable: await SshSession.connect({ ...testenvSshTarget(), privateKey: new Secret(readFileSync(testenv('SSH_KEY'), 'utf8').replace('OPENSSH', 'BROKEN')) }).catch((e: Error) => e),
      target: testenvSshTarget(),
    }));
    expect(result.unparsable).toBeInstanceOf(Error);
    expectNoSecrets(secrets(), { result, output });
  });
});
