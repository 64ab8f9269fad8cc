import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { SECRET_FIELDS, isSecretPath } from '../../topology';
import { exampleInput, pra } from '../helpers/project';
import { tempDirs } from '../helpers/tmp';

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const SECRET = 'hunter2-do-not-print';

async function validate(input: Record<string, any>) {
  const dir = dirs.make('pra-validate-');
  writeFileSync(join(dir, 'topology.yaml'), stringify(input));
  return pra(['validate', 'topology.yaml'], { cwd: dir });
}

describe('pra validate never echoes a secret written inline', () => {
  it('names an inline vCenter password and its fix, without its value (exit 2)', async () => {
    const input = exampleInput();
    input.sites[0].vcenter.password = SECRET;
    const { code, stdout, stderr } = await validate(input);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^topology\.yaml:\d+: sites\[0\]\.vcenter\.password: must be an object, not a string/m);
    expect(stderr).not.toContain(SECRET);
    expect(stderr).not.toContain('hunter2');
  });

  it.each([
    ['a secret next to env inside a secret reference', (t: Record<string, any>) => (t.sites[1].zerto.password = { env: 'ZERTO_PASSWORD', value: SECRET }), 'sites[1].zerto.password.value'],
    ['an inline guest SSH private key', (t: Record<string, any>) => (t.guard.ssh = { user: 'root', privateKey: SECRET, insecureAcceptAnyHostKey: true }), 'guard.ssh.privateKey'],
    ['an inline bastion private key', (t: Record<string, any>) => (t.sites[0].bastion = { host: 'bastion.example.net', user: 'pra', privateKey: SECRET, insecureAcceptAnyHostKey: true }), 'sites[0].bastion.privateKey'],
    ['an inline MySQL check password', (t: Record<string, any>) => (t.checks.mysql[0].password = SECRET), 'checks.mysql[0].password'],
  ])('names %s without its value (exit 2)', async (_name, change, path) => {
    const input = exampleInput();
    change(input);
    const { code, stderr } = await validate(input);
    expect(code).toBe(2);
    expect(stderr).toContain(`topology.yaml:`);
    expect(stderr).toContain(`${path}: `);
    expect(stderr).not.toContain(SECRET);
  });

  it('still shows the value of a field that is not a secret', async () => {
    const input = exampleInput();
    input.sites[0].vcenter.username = 42;
    const { code, stderr } = await validate(input);
    expect(code).toBe(2);
    expect(stderr).toContain('sites[0].vcenter.username = 42: must be a string');
  });
});

describe('the secret fields the schema declares', () => {
  it('are every secretRef of the topology, found in the schema itself', () => {
    expect(SECRET_FIELDS.map((f) => f.join('.'))).toEqual(
      expect.arrayContaining([
        'sites.*.vcenter.password',
        'sites.*.zerto.password',
        'traffic.dns.applicationSecret',
        'traffic.dns.consumerKey',
        'traffic.dns.tsigSecret',
        'traffic.dns.secretAccessKey',
        'traffic.lb.applicationSecret',
        'checks.mysql.*.password',
        'guard.ssh.privateKey',
      ]),
    );
  });

  it('cover the field and what lies inside it, not its parent', () => {
    expect(isSecretPath(['sites', 1, 'vcenter', 'password'])).toBe(true);
    expect(isSecretPath(['sites', 1, 'vcenter', 'password', 'env'])).toBe(true);
    expect(isSecretPath(['sites', 1, 'vcenter'])).toBe(false);
    expect(isSecretPath(['sites', 1, 'vcenter', 'username'])).toBe(false);
  });
});
