import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { MAX_PROBLEMS_SHOWN } from '../../topology/problems';
import { aliasBombYaml, generateTopologyInput } from '../../topology/generate';
import { copyExample, exampleInput, pra } from '../helpers/project';
import { tempDirs } from '../helpers/tmp';

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const SECRET = 'hunter2-do-not-print';

async function validate(text: string, file = 'topology.yaml') {
  const dir = dirs.make('pra-hostile-');
  writeFileSync(join(dir, file), text);
  return pra(['validate', file], { cwd: dir });
}

describe('a secret inside a value shown for a parent', () => {
  it.each([
    ['a site list of one site with an inline password', (t: Record<string, any>) => (t.sites = [{ name: 'rbx', vcenter: { password: SECRET } }]), 'sites = [{"name":"rbx","vcenter":{"password":"***"}}]: must declare exactly two sites'],
    ['an inline password under a misspelt parent', (t: Record<string, any>) => (t.sites[0].vcentre = { password: SECRET }), 'sites[0].vcentre = '],
    ['a misspelt password field', (t: Record<string, any>) => (t.sites[0].vcenter.pasword = SECRET), 'sites[0].vcenter.pasword'],
    ['an unknown field named like a secret', (t: Record<string, any>) => (t.guard.ssh = { user: 'root', privateKey: { file: '/k' }, insecureAcceptAnyHostKey: true, sudoPassword: SECRET }), 'guard.ssh.sudoPassword: is not a known field'],
  ])('%s: the value is shown masked, never the secret (exit 2)', async (_name, change, path) => {
    const input = exampleInput();
    change(input);
    const { code, stderr } = await validate(stringify(input));
    expect(code).toBe(2);
    expect(stderr).toContain(path);
    expect(stderr).not.toContain(SECRET);
    expect(stderr).not.toContain('hunter2');
  });
});

describe('YAML alias bombs', () => {
  it('refuses a billion laughs in a real field, naming the file (exit 2)', async () => {
    const { code, stderr } = await validate(aliasBombYaml('vms'), 'bomb.yaml');
    expect(code).toBe(2);
    expect(stderr).toMatch(/^bomb\.yaml: refused: its YAML aliases \(\*name\) expand it/m);
  });

  it('refuses it in a file large enough for the fast parser too (exit 2)', async () => {
    const { code, stderr } = await validate(`${aliasBombYaml('checks')}# ${'x'.repeat(2 * 1024 * 1024)}\n`, 'bomb.yaml');
    expect(code).toBe(2);
    expect(stderr).toMatch(/^bomb\.yaml: refused: its YAML aliases/m);
  });

  it('still accepts a few aliases', async () => {
    const input = exampleInput();
    const text = stringify(input).replace('cluster: Cluster1', 'cluster: &c Cluster1').replace('cluster: Cluster1', 'cluster: *c');
    expect(text).toContain('*c');
    expect((await validate(text)).code).toBe(0);
  });
});

describe('problems are capped', () => {
  it.each(['json', 'yaml'])('a 5 MB %s list of bad items shows the first problems and says more exist (exit 2)', async (format) => {
    const input: Record<string, any> = generateTopologyInput({ vms: 10 });
    const items = Array.from({ length: 100_000 }, (_, i) => ({ name: `bad vm ${i}`, site: 'RBX', nope: i }));
    // Written by hand: the yaml package's stringify takes seconds on 5 MB.
    const text = format === 'json' ? JSON.stringify({ ...input, vms: items }) : `${stringify({ ...input, vms: undefined })}vms:\n${items.map((v) => `  - ${JSON.stringify(v)}\n`).join('')}`;
    expect(text.length).toBeGreaterThan(4 * 1024 * 1024);
    const { code, stderr } = await validate(text, `big.${format}`);
    expect(code).toBe(2);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(MAX_PROBLEMS_SHOWN + 1);
    expect(lines[0]).toMatch(/^big\.(json|yaml): vms\[0\]\.name = "bad vm 0": must be a VM name/);
    expect(lines[MAX_PROBLEMS_SHOWN]).toContain('and more problems (checking stopped here): fix these first');
  });

  it('caps syntax errors too', async () => {
    const { code, stderr } = await validate(`name: app\n${Array.from({ length: 200 }, (_, i) => `k${i}: [\n- x\n`).join('')}`);
    expect(code).toBe(2);
    const lines = stderr.trim().split('\n');
    expect(lines.length).toBeLessThanOrEqual(MAX_PROBLEMS_SHOWN + 1);
    expect(lines[lines.length - 1]).toMatch(/^topology\.yaml: \.\.\. and \d+ more syntax errors: fix these first/);
  });

  it('counts the problems it does not show when it found them all', async () => {
    const input = exampleInput();
    input.vms = Array.from({ length: 30 }, (_, i) => ({ ...input.vms[0], name: `VM-${i}`, cpus: 0, memoryMiB: 1 }));
    const { code, stderr } = await validate(stringify(input));
    expect(code).toBe(2);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(MAX_PROBLEMS_SHOWN + 1);
    expect(lines[MAX_PROBLEMS_SHOWN]).toBe('topology.yaml: ... and 10 more problems: fix these first, then check again');
  });
});

describe('URL fields', () => {
  it.each([
    ['a vCenter URL without scheme', (t: Record<string, any>) => (t.sites[0].vcenter.url = 'vc-west.example.test:443'), 'sites[0].vcenter.url = "vc-west.example.test:443": must be an https:// URL'],
    ['a Zerto URL over plain http', (t: Record<string, any>) => (t.sites[1].zerto.url = 'http://zvm.example.net'), 'sites[1].zerto.url = "http://zvm.example.net": must be an https:// URL'],
    ['an OVH endpoint over plain http', (t: Record<string, any>) => (t.traffic.dns.endpoint = 'http://eu.api.ovh.com/1.0'), 'traffic.dns.endpoint = "http://eu.api.ovh.com/1.0": must be an https:// URL'],
    ['an S3 endpoint without scheme', (t: Record<string, any>) => (t.terraformBackend = { type: 's3', bucket: 'b', region: 'gra', endpoint: 's3.gra.io.cloud.ovh.net:443' }), 'terraformBackend.endpoint = "s3.gra.io.cloud.ovh.net:443": must be an https:// URL'],
    ['a remote etcd over plain http', (t: Record<string, any>) => (t.authority = { backend: 'etcd', endpoints: ['http://etcd1.example.net:2379'] }), 'authority.endpoints[0] = "http://etcd1.example.net:2379": must be an etcd client URL such as https://etcd1.example.net:2379 (http:// only to this machine'],
    ['a guard etcd endpoint that is not a URL', (t: Record<string, any>) => (t.guard.etcd = { endpoints: ['etcd1:2379'] }), 'guard.etcd.endpoints[0] = "etcd1:2379": must be an etcd client URL'],
    ['an HTTP check on another scheme', (t: Record<string, any>) => (t.checks.http[0].url = 'ftp://{ip}/health'), 'checks.http[0].url = "ftp://{ip}/health": must be an http:// or https:// URL'],
  ])('refuses %s, naming the field and the fix (exit 2)', async (_name, change, message) => {
    const input = exampleInput();
    change(input);
    const { code, stderr } = await validate(stringify(input));
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).not.toContain('Invalid url');
  });

  it('accepts an etcd on this machine over plain http (the test environment)', async () => {
    const input = exampleInput();
    input.authority = { backend: 'etcd', endpoints: ['http://127.0.0.1:2379', 'http://[::1]:2379', 'https://etcd1.example.net:2379'] };
    expect((await validate(stringify(input))).code).toBe(0);
  });
});

describe('messages', () => {
  it('shows .inf as YAML writes it, not null', async () => {
    const { code, stderr } = await validate(stringify(exampleInput()).replace(/^rtoMinutes: .*$/m, 'rtoMinutes: .inf'));
    expect(code).toBe(2);
    expect(stderr).toContain('rtoMinutes = .inf: must be an integer');
    expect(stderr).not.toContain('null');
  });

  it('says "an object"', async () => {
    const input = exampleInput();
    input.traffic = 'dns';
    const { stderr } = await validate(stringify(input));
    expect(stderr).toContain('traffic = "dns": must be an object, not a string');
  });
});

describe('--state names a file that must exist', () => {
  function project(): string {
    const dir = dirs.make('pra-hostile-state-');
    copyExample(dir);
    return dir;
  }

  it.each([['state set active_site=sbg'], ['state show'], ['diff'], ['validate'], ['plan --to sbg']])('pra %s: a missing directory is exit 2 naming the path, nothing created', async (command) => {
    const dir = project();
    const { code, stderr } = await pra([...command.split(' '), '--state', 'no/such/dir/state.json'], { cwd: dir });
    expect(code).toBe(2);
    expect(stderr).toContain('no/such/dir/state.json: no such failback state file: check the path given to --state');
    expect(stderr).not.toMatch(/ENOENT|\.tmp/);
    expect(existsSync(join(dir, 'no'))).toBe(false);
    expect(existsSync(join(dir, 'cdktf.out'))).toBe(false);
  });

  it('a missing file named explicitly is exit 2, not the defaults', async () => {
    const dir = project();
    mkdirSync(join(dir, 'states'));
    const { code, stderr } = await pra(['state', 'show', '--state', 'states/prod.json'], { cwd: dir });
    expect(code).toBe(2);
    expect(stderr).toContain('states/prod.json: no such failback state file');
  });

  it('the default path may be absent: the defaults apply', async () => {
    const { code, stdout } = await pra(['state', 'show'], { cwd: project() });
    expect(code).toBe(0);
    expect(stdout).toContain('absent: defaults');
  });
});
