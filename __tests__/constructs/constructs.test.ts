import { Testing } from 'cdktf';
import { ActiveSiteRecord, type ActiveSiteRecordProps } from '../../constructs/active-site-record';
import { ProtectedVm } from '../../constructs/protected-vm';
import { ProtectionGroup } from '../../constructs/protection-group';
import { buildApp } from '../../stacks/app';
import type { PraStack } from '../../stacks/pra-stack';
import type { SiteStack } from '../../stacks/site-stack';
import { topologySchema, vpgSpecs } from '../../topology';
import { STATES, exampleInput, exampleTopology, stackOf, synthJson, userDataOf } from '../helpers/project';
import { tempDirs } from '../helpers/tmp';

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const topology = exampleTopology();
const appFor = (t = topology, userData?: (name: string) => string | undefined) =>
  buildApp(t, STATES.normal, { outdir: dirs.make(), userData: userData && ((vm) => userData(vm.name)) });

/** Props of an existing VM of the example, to vary one at a time. */
function vmProps(overrides: Partial<ConstructorParameters<typeof ProtectedVm>[2]> = {}) {
  const app = appFor();
  const stack = stackOf(app, 'site-rbx') as SiteStack;
  const template = { uuid: 'u', guestId: 'debian12_64Guest', firmware: 'efi', diskSizeGiB: 20, diskThinProvisioned: true, networkAdapterType: 'vmxnet3' };
  const props = { vmName: 'VM-NEW', site: 'rbx', ipAddress: '10.100.0.50', subnetPrefixLength: 24, gateway: '10.100.0.1', cpus: 2, memoryMiB: 2048, template, resourcePoolId: 'p', datastoreId: 'd', networkId: 'n', failback: stack.failback, ...overrides };
  return { stack, props };
}

describe('ProtectedVm', () => {
  it.each([
    [{ cpus: 0 }, /site-rbx\/VM-NEW: cpus = 0: must be a whole number of vCPUs, at least 1/],
    [{ memoryMiB: 100 }, /site-rbx\/VM-NEW: memoryMiB = 100: must be a whole number of MiB, at least 256/],
    [{ site: 'RBX' }, /site-rbx\/VM-NEW: site = "RBX": must be a lowercase site name/],
    [{ additionalExtraConfig: { 'guestinfo.pra.epoch': '3' } }, /additionalExtraConfig\["guestinfo.pra.epoch"\] = "3": is written by the engine out of band: remove it/],
    [{ additionalExtraConfig: { 'pra.failback.startup_mode': 'suspended' } }, /additionalExtraConfig\["pra.failback.startup_mode"\] = "suspended": is managed by ProtectedVm/],
    [{ guard: { sources: ['etcd'] as const } }, /guard.etcdEndpoints = undefined: must list the etcd endpoints when guard.sources includes etcd/],
  ])('refuses %j at construction, naming the path, the value and the fix', (overrides, message) => {
    const { stack, props } = vmProps(overrides as never);
    expect(() => new ProtectedVm(stack, 'VM-NEW', props)).toThrow(message);
  });

  it('stores user data gzip+base64 so cloud-init can read it back', () => {
    const cloudConfig = '#cloud-config\nwrite_files: []\n';
    const app = appFor(topology, (name) => (name === 'VM-DOCKER-APP-A-RBX' ? cloudConfig : undefined));
    const stack = synthJson(app, 'site-rbx');
    expect(stack.resource.vsphere_virtual_machine['VM-DOCKER-APP-A-RBX'].extra_config['guestinfo.userdata.encoding']).toBe('gzip+base64');
    expect(userDataOf(stack, 'VM-DOCKER-APP-A-RBX')).toBe(cloudConfig);
    expect(userDataOf(stack, 'VM-MYSQL-APP-A-RBX')).toBeUndefined();
  });

  it('synthesizes a user data text shared by several VMs once, as a stack local they reference', () => {
    const stack = synthJson(appFor(topology, () => '#cloud-config\n'), 'site-rbx');
    const references = new Set(Object.values(stack.resource.vsphere_virtual_machine).map((vm: any) => vm.extra_config['guestinfo.userdata']));
    expect(references.size).toBe(1);
    expect(Object.keys(stack.locals)).toHaveLength(1);
  });

  it('gives the guest its address and hostname through cloud-init metadata', () => {
    const extra = synthJson(appFor(), 'site-sbg').resource.vsphere_virtual_machine['VM-MYSQL-APP-B-SBG'].extra_config;
    const metadata = JSON.parse(Buffer.from(extra['guestinfo.metadata'], 'base64').toString());
    expect(metadata).toMatchObject({ 'local-hostname': 'vm-mysql-app-b-sbg', network: { ethernets: { nic0: { addresses: ['10.200.0.11/24'], routes: [{ to: 'default', via: '10.200.0.1' }] } } } });
  });

  it('declares the etcd source keys only when etcd is a guard source', () => {
    const input = exampleInput();
    input.guard = { sources: ['guestinfo', 'etcd'], etcd: { endpoints: ['https://10.100.0.5:2379', 'https://10.200.0.5:2379'] } };
    const extra = synthJson(appFor(topologySchema.parse(input)), 'site-rbx').resource.vsphere_virtual_machine['VM-DOCKER-APP-A-RBX'].extra_config;
    expect(extra).toMatchObject({
      'guestinfo.pra.guard.sources': 'guestinfo,etcd',
      'guestinfo.pra.guard.etcd_endpoints': 'https://10.100.0.5:2379,https://10.200.0.5:2379',
      'guestinfo.pra.guard.etcd_key': '/pra/active-site',
    });
    const plain = synthJson(appFor(), 'site-rbx').resource.vsphere_virtual_machine['VM-DOCKER-APP-A-RBX'].extra_config;
    expect(Object.keys(plain).filter((k) => k.includes('etcd'))).toEqual([]);
  });

  it('declares an unprotected VM with a fixed normal start-up', () => {
    const input = exampleInput();
    input.vms.push({ name: 'VM-TOOLS-RBX', site: 'rbx', role: 'tools', ip: '10.100.0.20', template: 'debian-12-docker', cpus: 1, memoryMiB: 1024, protected: false });
    const extra = synthJson(appFor(topologySchema.parse(input)), 'site-rbx').resource.vsphere_virtual_machine['VM-TOOLS-RBX'].extra_config;
    expect(extra).toMatchObject({ 'pra.failback.enabled': 'false', 'pra.failback.startup_mode': 'normal' });
  });
});

describe('ActiveSiteRecord', () => {
  const recordProps = (app = appFor()): ActiveSiteRecordProps => ({
    backend: { provider: 'ovh', endpoint: 'ovh-eu', applicationKey: 'k' },
    zone: 'example.com',
    recordName: 'app',
    sitePublicIps: { rbx: '203.0.113.10', sbg: '198.51.100.20' },
    failback: (stackOf(app, 'traffic') as PraStack).failback,
  });

  it.each([
    [{ ttlSeconds: 30 }, /traffic\/other: ttlSeconds = 30: must be 0 or between 60 and 86400/],
    [{ sitePublicIps: { rbx: '203.0.113.10' } }, /sitePublicIps = \{"rbx":"203.0.113.10"\}: must map both sites/],
    [{ sitePublicIps: { rbx: '203.0.113.10', sbg: '198.51.100.999' } }, /sitePublicIps.sbg = "198.51.100.999": must be an IPv4 address/],
    [{ zone: 'example' }, /zone = "example": must be a DNS zone/],
  ])('refuses %j at construction', (overrides, message) => {
    const app = appFor();
    expect(() => new ActiveSiteRecord(stackOf(app, 'traffic'), 'other', { ...recordProps(app), ...overrides })).toThrow(message);
  });

  const withDns = (dns: Record<string, unknown>) => {
    const input = exampleInput();
    input.traffic.dns = { zone: 'example.com', record: 'app', ttlSeconds: 60, ...dns };
    return synthJson(appFor(topologySchema.parse(input)), 'traffic');
  };
  const TARGET = '${{"rbx" = "203.0.113.10", "sbg" = "198.51.100.20"}[var.active_site]}';

  it('declares a Route 53 record with the aws provider and no credentials', () => {
    const json = withDns({ provider: 'route53', hostedZoneId: 'Z0123456789ABC', region: 'eu-west-3', endpoint: 'https://route53.test.example' });
    expect(json.resource.aws_route53_record['active-site-record']).toEqual({ name: 'app.example.com', provider: 'aws', records: [TARGET], ttl: 60, type: 'A', zone_id: 'Z0123456789ABC' });
    expect(json.provider.aws).toEqual([{ region: 'eu-west-3', endpoints: [{ route53: 'https://route53.test.example' }] }]);
    expect(json.terraform.required_providers.aws.source).toBe('hashicorp/aws');
  });

  it('declares an RFC 2136 record whose TSIG secret is a sensitive variable', () => {
    const json = withDns({ provider: 'rfc2136', server: { host: '127.0.0.1', port: 5353 }, tsigKeyName: 'pra-key', tsigSecret: { env: 'TSIG' } });
    expect(json.resource.dns_a_record_set['active-site-record']).toEqual({ addresses: [TARGET], name: 'app', provider: 'dns', ttl: 60, zone: 'example.com.' });
    expect(json.provider.dns[0].update).toEqual([{ key_algorithm: 'hmac-sha256', key_name: 'pra-key.', key_secret: '${var.dns_tsig_secret}', port: 5353, server: '127.0.0.1' }]);
    expect(json.variable.dns_tsig_secret).toMatchObject({ sensitive: true, default: '' });
  });
});

describe('ProtectionGroup', () => {
  it.each([
    [{ vms: [] }, /protection\/VPG-X: spec.vms = \[\]: must list at least one VM/],
    [{ targetSite: 'rbx' }, /spec.targetSite = "rbx": must differ from sourceSite rbx/],
    [{ rpoTargetSeconds: 5 }, /spec.rpoTargetSeconds = 5: must be a whole number of seconds, at least 10/],
  ])('refuses %j at construction', (overrides, message) => {
    const app = appFor();
    const spec = { ...vpgSpecs(topology)[0], ...overrides };
    expect(() => new ProtectionGroup(stackOf(app, 'protection'), 'VPG-X', { spec })).toThrow(message);
  });
});

describe('the state backend', () => {
  it('uses an S3-compatible backend for OVHcloud Object Storage when the topology asks', () => {
    const input = exampleInput();
    input.terraformBackend = { type: 's3', bucket: 'pra-state', region: 'gra', endpoint: 'https://s3.gra.io.cloud.ovh.net' };
    const backend = JSON.parse(Testing.synth(stackOf(appFor(topologySchema.parse(input)), 'site-sbg'))).terraform.backend.s3;
    expect(backend).toEqual({
      bucket: 'pra-state',
      key: 'pra-failback/app/site-sbg.tfstate',
      region: 'gra',
      endpoints: { s3: 'https://s3.gra.io.cloud.ovh.net' },
      skip_credentials_validation: true,
      skip_region_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: true,
      skip_s3_checksum: true,
      use_path_style: true,
    });
  });

  it('keeps the vCenter password out of the synthesized JSON', () => {
    const json = synthJson(appFor(), 'site-rbx');
    expect(json.provider.vsphere[0].password).toBe('${var.vcenter_password_rbx}');
    expect(json.variable.vcenter_password_rbx).toMatchObject({ sensitive: true, default: '' });
  });
});
