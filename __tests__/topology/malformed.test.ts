import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { exampleInput, pra } from '../helpers/project';
import { tempDirs } from '../helpers/tmp';

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

type Input = Record<string, any>;
interface Case {
  readonly name: string;
  readonly change: (t: Input) => void;
  /** The path as `pra validate` prints it (with the bad value when there is one), then a fragment of the fix. */
  readonly path: string;
  readonly message: string;
}

const cases: Case[] = [
  { name: 'an uppercase site name', change: (t) => (t.sites[0].name = 'RBX'), path: 'sites[0].name = "RBX"', message: 'must be a short lowercase site name' },
  { name: 'a single site', change: (t) => t.sites.pop(), path: 'sites', message: 'must declare exactly two sites' },
  { name: 'two primary sites', change: (t) => (t.sites[1].role = 'primary'), path: 'sites[1].role = "primary"', message: 'must differ from sites[0].role' },
  { name: 'a public IP out of range', change: (t) => (t.sites[0].publicIp = '203.0.113.300'), path: 'sites[0].publicIp = "203.0.113.300"', message: 'must be an IPv4 address' },
  { name: 'a subnet without prefix length', change: (t) => (t.sites[0].subnet = '10.100.0.0'), path: 'sites[0].subnet = "10.100.0.0"', message: 'must be an IPv4 subnet in CIDR form' },
  { name: 'a gateway outside the subnet', change: (t) => (t.sites[0].gateway = '10.101.0.1'), path: 'sites[0].gateway = "10.101.0.1"', message: "must be inside the site's subnet 10.100.0.0/24" },
  { name: 'a vCenter URL that is not a URL', change: (t) => (t.sites[0].vcenter.url = 'vcenter'), path: 'sites[0].vcenter.url = "vcenter"', message: 'must be an https:// URL' },
  { name: 'an inline password', change: (t) => (t.sites[0].vcenter.password = 'hunter2'), path: 'sites[0].vcenter.password', message: 'must be an object, not a string' },
  { name: 'a secret from both env and file', change: (t) => (t.sites[1].zerto.password = { env: 'X', file: '/run/x' }), path: 'sites[1].zerto.password', message: 'must set exactly one of env or file' },
  { name: 'a misspelt site field', change: (t) => (t.sites[0].datastor = 'x'), path: 'sites[0].datastor = "x"', message: 'is not a known field' },
  { name: 'a VM IP out of range', change: (t) => (t.vms[0].ip = '10.100.0.999'), path: 'vms[0].ip = "10.100.0.999"', message: 'must be an IPv4 address' },
  { name: "a VM IP outside its site's subnet", change: (t) => (t.vms[0].ip = '10.200.0.50'), path: 'vms[0].ip = "10.200.0.50"', message: "must be inside site rbx's subnet 10.100.0.0/24" },
  { name: 'a VM name used twice (case-insensitively)', change: (t) => (t.vms[1].name = 'vm-docker-app-a-rbx'), path: 'vms[1].name = "vm-docker-app-a-rbx"', message: 'is already used by another VM' },
  { name: 'a VM on an undeclared site', change: (t) => (t.vms[0].site = 'par'), path: 'vms[0].site = "par"', message: 'must name a declared site: rbx | sbg' },
  { name: 'a VM without CPUs', change: (t) => (t.vms[0].cpus = 0), path: 'vms[0].cpus = 0', message: 'is too small: minimum 1' },
  { name: 'a memory size as text', change: (t) => (t.vms[0].memoryMiB = '8G'), path: 'vms[0].memoryMiB = "8G"', message: 'must be a number, not a string' },
  { name: 'a peer that does not exist', change: (t) => (t.vms[0].peer = 'VM-NOPE'), path: 'vms[0].peer = "VM-NOPE"', message: 'must name a declared VM' },
  { name: 'a peer on the same site', change: (t) => (t.vms[0].peer = 'VM-MYSQL-APP-A-RBX'), path: 'vms[0].peer = "VM-MYSQL-APP-A-RBX"', message: 'must be on the other site' },
  { name: 'a protected VM without peer', change: (t) => delete t.vms[2].peer, path: 'vms[2].peer', message: 'is required for a protected VM' },
  { name: 'two VMs of a site on one address', change: (t) => (t.vms[1].ip = '10.100.0.10'), path: 'vms[1].ip = "10.100.0.10"', message: 'is already used by another VM of the same site' },
  { name: 'a VPG member that does not exist', change: (t) => (t.vpgs[0].vms[0] = 'VM-GHOST'), path: 'vpgs[0].vms[0] = "VM-GHOST"', message: 'must name a declared VM' },
  { name: 'a VPG replicating to its own site', change: (t) => (t.vpgs[0].target = 'rbx'), path: 'vpgs[0].target = "rbx"', message: 'must differ from source' },
  { name: 'a VPG member of the other site', change: (t) => t.vpgs[1].vms.push('VM-DOCKER-APP-A-RBX'), path: 'vpgs[1].vms[2] = "VM-DOCKER-APP-A-RBX"', message: 'must be a VM of the source site sbg' },
  { name: 'an unknown recovery operation', change: (t) => (t.vpgs[0].recovery = 'teleport'), path: 'vpgs[0].recovery = "teleport"', message: 'must be one of move | failover' },
  { name: 'a VPG name used twice', change: (t) => (t.vpgs[1].name = 'VPG-RBX-TO-SBG'), path: 'vpgs[1].name = "VPG-RBX-TO-SBG"', message: 'is already used by another VPG' },
  { name: 'an unknown DNS provider', change: (t) => (t.traffic.dns.provider = 'cloudflare'), path: 'traffic.dns.provider = "cloudflare"', message: 'must be one of ovh | route53 | rfc2136' },
  { name: 'a TTL OVH refuses', change: (t) => (t.traffic.dns.ttlSeconds = 30), path: 'traffic.dns.ttlSeconds = 30', message: 'must be 0 or between 60 and 86400' },
  { name: 'a zone with capitals', change: (t) => (t.traffic.dns.zone = 'Example.com'), path: 'traffic.dns.zone = "Example.com"', message: 'must be a DNS zone' },
  { name: 'no way to move traffic', change: (t) => (t.traffic = {}), path: 'traffic = {}', message: 'must declare dns, lb or both' },
  {
    name: 'a load balancer missing a site',
    change: (t) => (t.traffic.lb = { provider: 'haproxy', adminSocket: '/run/haproxy.sock', backend: 'app', servers: { rbx: 'rbx1' } }),
    path: 'traffic.lb.servers',
    message: 'must map site sbg to its backend server',
  },
  { name: 'an HTTP check on an unknown VM', change: (t) => (t.checks.http[0].vm = 'VM-NOPE'), path: 'checks.http[0].vm = "VM-NOPE"', message: 'must name a declared VM' },
  { name: 'a MySQL check on a role no VM has', change: (t) => (t.checks.mysql[0].role = 'postgres'), path: 'checks.mysql[0].role = "postgres"', message: 'must be the role of a VM on every site' },
  { name: 'an etcd guard source without endpoints', change: (t) => (t.guard.sources = ['etcd']), path: 'guard.etcd', message: 'is required when guard.sources lists etcd' },
  {
    // The schema's URL rule (issue 14) refuses it before the guard's own check (issue 11) runs.
    name: 'an etcd guard endpoint without a scheme (the guard refuses it too)',
    change: (t) => (t.guard.etcd = { endpoints: ['etcd.example.net:2379'] }),
    path: 'guard.etcd.endpoints[0] = "etcd.example.net:2379"',
    message: 'must be an etcd client URL such as https://etcd1.example.net:2379',
  },
  {
    name: 'a relative etcd key for the guard (the guard refuses it)',
    change: (t) => (t.guard.etcd = { endpoints: ['https://etcd.example.net:2379'], key: 'pra/active-site' }),
    path: 'guard.etcd.key = "pra/active-site"',
    message: 'is refused by the guard itself (pra-guard check-config: etcd_key must start with /)',
  },
  { name: 'an unknown replay policy', change: (t) => (t.guard.replayPolicy = 'maybe'), path: 'guard.replayPolicy = "maybe"', message: 'must be one of allow | deny' },
  { name: 'an application name with spaces', change: (t) => (t.name = 'App A'), path: 'name = "App A"', message: 'must be a lowercase application name' },
  { name: 'an RTO of zero minutes', change: (t) => (t.rtoMinutes = 0), path: 'rtoMinutes = 0', message: 'is too small: minimum 1' },
  { name: 'an unknown Zerto grant', change: (t) => (t.sites[0].zerto.grant = 'implicit'), path: 'sites[0].zerto.grant = "implicit"', message: 'must be one of password | client_credentials' },
  { name: 'an empty Zerto site name', change: (t) => (t.sites[1].zerto.siteName = ''), path: 'sites[1].zerto.siteName = ""', message: 'must be the site name Zerto shows' },
  {
    name: 'guest SSH without a host key policy',
    change: (t) => (t.guard.ssh = { user: 'root', privateKey: { file: '/etc/pra/guest-key' } }),
    path: 'guard.ssh',
    message: 'must set hostKeySha256',
  },
  {
    name: 'a host key that is not a SHA256 fingerprint',
    change: (t) => (t.guard.ssh = { user: 'root', privateKey: { file: '/etc/pra/guest-key' }, hostKeySha256: ['MD5:aa:bb'] }),
    path: 'guard.ssh.hostKeySha256[0] = "MD5:aa:bb"',
    message: 'must be a fingerprint such as SHA256:',
  },
  {
    name: 'a relative active-site file path',
    change: (t) => (t.guard.ssh = { user: 'root', privateKey: { file: '/etc/pra/guest-key' }, insecureAcceptAnyHostKey: true, path: 'etc/pra/active-site' }),
    path: 'guard.ssh.path = "etc/pra/active-site"',
    message: 'must be an absolute path',
  },
  {
    name: 'no SSH session at a time on a guest',
    change: (t) => (t.guard.ssh = { user: 'root', privateKey: { file: '/etc/pra/guest-key' }, insecureAcceptAnyHostKey: true, maxSessions: 0 }),
    path: 'guard.ssh.maxSessions = 0',
    message: 'is too small: minimum 1',
  },
  {
    name: 'a run lock TTL of one second',
    change: (t) => (t.authority = { backend: 'etcd', endpoints: ['https://etcd.example.net:2379'], runLockTtlSeconds: 1 }),
    path: 'authority.runLockTtlSeconds = 1',
    message: 'is too small: minimum 2',
  },
  {
    name: 'a bastion without a host key policy',
    change: (t) => (t.sites[0].bastion = { host: 'bastion.example.net', user: 'pra', privateKey: { file: '/etc/pra/bastion-key' } }),
    path: 'sites[0].bastion',
    message: "must set hostKeySha256 (the bastion's host key fingerprint) or insecureAcceptAnyHostKey: true",
  },
  {
    name: 'a guest fan-out of zero',
    change: (t) => (t.guard.fanOut = 0),
    path: 'guard.fanOut = 0',
    message: 'is too small: minimum 1',
  },
  { name: 'a relative guest guard root', change: (t) => (t.vms[0].guest = { guardRoot: 'srv/guest' }), path: 'vms[0].guest.guardRoot = "srv/guest"', message: 'must be an absolute path' },
  { name: 'a guest SSH port out of range', change: (t) => (t.vms[0].guest = { sshPort: 70000 }), path: 'vms[0].guest.sshPort = 70000', message: 'is too big: maximum 65535' },
  { name: 'an unsupported state backend', change: (t) => (t.terraformBackend = { type: 'gcs' }), path: 'terraformBackend.type = "gcs"', message: 'must be one of local | s3' },
  { name: 'jobs for a role no VM has', change: (t) => (t.jobs = { redis: [{ name: 'flush', schedule: '* * * * *', durationSeconds: 1 }] }), path: 'jobs.redis', message: 'is not the role of any VM: use one of docker | mysql' },
  { name: 'a job schedule with four fields', change: (t) => (t.jobs = { mysql: [{ name: 'backup', schedule: '0 3 * *', durationSeconds: 60 }] }), path: 'jobs.mysql[0].schedule = "0 3 * *"', message: 'is not a cron schedule (expected 5 time fields, found 4)' },
  { name: 'a job schedule with a minute out of range', change: (t) => (t.jobs = { mysql: [{ name: 'backup', schedule: '60 3 * * *', durationSeconds: 60 }] }), path: 'jobs.mysql[0].schedule = "60 3 * * *"', message: "minute field '60': '60' out of range 0-59" },
  { name: 'a job name used twice in a role', change: (t) => (t.jobs = { docker: [{ name: 'a', schedule: '* * * * *', durationSeconds: 1 }, { name: 'a', schedule: '0 * * * *', durationSeconds: 1 }] }), path: 'jobs.docker[1].name = "a"', message: 'is already used by another job of this role' },
  { name: 'a job without duration', change: (t) => (t.jobs = { docker: [{ name: 'a', schedule: '* * * * *' }] }), path: 'jobs.docker[0].durationSeconds', message: 'is required: add it (number)' },
];

async function validate(text: string, file = 'topology.yaml') {
  const dir = dirs.make('pra-validate-');
  writeFileSync(join(dir, file), text);
  return pra(['validate', file], { cwd: dir });
}

describe('pra validate on a malformed topology', () => {
  it('has at least 25 malformed cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  it.each(cases.map((c) => [c.name, c] as const))('reports %s with file, line, path and fix (exit 2)', async (_name, c) => {
    const input = exampleInput();
    c.change(input);
    const { code, stderr, stdout } = await validate(stringify(input));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(new RegExp(`^topology\\.yaml:\\d+: ${escape(c.path)}( = .*)?: .*${escape(c.message)}`, 'm'));
  });

  it('reports every problem of a file at once', async () => {
    const input = exampleInput();
    input.vms[0].cpus = 0;
    input.vpgs[0].recovery = 'teleport';
    input.traffic.dns.ttlSeconds = 30;
    const { code, stderr } = await validate(stringify(input));
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(3);
  });

  it('reports a YAML syntax error with its line and column', async () => {
    const { code, stderr } = await validate('name: app\nsites: [\n', 'broken.yaml');
    expect(code).toBe(2);
    expect(stderr).toMatch(/^broken\.yaml:\d+:\d+: syntax error/);
  });

  it('reports a missing topology file with the fix', async () => {
    const dir = dirs.make('pra-validate-');
    const { code, stderr } = await pra(['validate', 'nope.yaml'], { cwd: dir });
    expect(code).toBe(2);
    expect(stderr).toContain('cannot read (ENOENT): check the path');
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('pra validate on a malformed state file', () => {
  async function validateState(state: string) {
    const dir = dirs.make('pra-validate-');
    const input = exampleInput();
    writeFileSync(join(dir, 'topology.yaml'), stringify(input));
    writeFileSync(join(dir, 'failback.auto.tfvars.json'), state);
    return pra(['validate', 'topology.yaml'], { cwd: dir });
  }
  const valid = { failback_site: 'rbx', enable_failback_pause_mode: false, active_site: 'rbx' };

  it.each([
    ['a site the topology does not have', JSON.stringify({ ...valid, active_site: 'par' }), /failback\.auto\.tfvars\.json:\d+: active_site = "par": must be a site of topology app: rbx \| sbg/],
    ['pause mode as text', JSON.stringify({ ...valid, enable_failback_pause_mode: 'yes' }), /enable_failback_pause_mode = "yes": must be a boolean, not a string/],
    ['an unknown key', JSON.stringify({ ...valid, failback: 'rbx' }), /failback = "rbx": is not a known field/],
    ['a missing key', JSON.stringify({ failback_site: 'rbx', active_site: 'rbx' }), /enable_failback_pause_mode: is required: add it \(boolean\)/],
    ['broken JSON', '{"failback_site": "rbx",', /failback\.auto\.tfvars\.json:\d+:\d+: syntax error/],
  ])('reports %s (exit 2)', async (_name, text, message) => {
    const { code, stderr } = await validateState(text);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('accepts a valid state file and says so', async () => {
    const { code, stdout } = await validateState(JSON.stringify({ ...valid, active_site: 'sbg' }));
    expect(code).toBe(0);
    expect(stdout).toContain('failback.auto.tfvars.json: ok (failback_site=rbx enable_failback_pause_mode=false active_site=sbg)');
  });
});
