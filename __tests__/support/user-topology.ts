import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { TopologyInput } from '../../topology';

type Kinds = {
  readonly dns: 'ovh' | 'route53' | 'rfc2136';
  readonly lb: 'haproxy' | 'ovh-iplb';
  readonly authority: 'file' | 'etcd';
  readonly sources: readonly ('guestinfo' | 'file' | 'etcd')[];
};

const DNS: Record<Kinds['dns'], NonNullable<TopologyInput['traffic']['dns']>> = {
  ovh: { provider: 'ovh', zone: 'shop.example.com', record: 'www', applicationKey: 'shop-pra', applicationSecret: { env: 'SHOP_OVH_AS' }, consumerKey: { file: '/etc/shop/ovh-consumer-key' } },
  route53: { provider: 'route53', zone: 'shop.example.com', record: 'www', hostedZoneId: 'Z0SHOP00000001', accessKeyId: { env: 'SHOP_AWS_KEY_ID' }, secretAccessKey: { file: '/etc/shop/aws-secret' } },
  rfc2136: { provider: 'rfc2136', zone: 'shop.example.com', record: 'www', server: { host: 'ns1.shop.example.com', port: 53 }, tsigKeyName: 'shop-update', tsigSecret: { file: '/etc/shop/tsig.key' } },
};

/**
 * A user's own topology, as a new user writes it: sites `paris` (primary) and `lyon` (standby), `pairs` VM
 * pairs named after `prefix` in three roles with their own cron jobs (and one role without, which gets
 * the drill's synthetic jobs), move and failover VPGs, HTTP and MySQL checks, and the driver kinds given.
 */
export function aUserTopology(prefix: string, kinds: Kinds, pairs = 3): TopologyInput {
  const roles = ['web', 'worker', 'db'];
  const sites = [
    { name: 'paris', role: 'primary' as const, octet: 10, publicIp: '203.0.113.50' },
    { name: 'lyon', role: 'standby' as const, octet: 20, publicIp: '198.51.100.60' },
  ];
  const vmName = (i: number, site: string) => `${prefix}-${roles[i % roles.length]}-${i + 1}-${site}`.toUpperCase();
  const vms = sites.flatMap((site, k) =>
    Array.from({ length: pairs }, (_, i) => ({
      name: vmName(i, site.name),
      site: site.name,
      role: roles[i % roles.length],
      ip: `10.${site.octet}.0.${10 + i}`,
      template: 'debian-12',
      cpus: 2,
      memoryMiB: 2048,
      peer: vmName(i, sites[1 - k].name),
    })),
  );
  const lb: NonNullable<TopologyInput['traffic']['lb']> =
    kinds.lb === 'haproxy'
      ? { provider: 'haproxy', adminSocket: '/run/haproxy/admin.sock', backend: 'be_shop', servers: { paris: 'shop-paris', lyon: 'shop-lyon' } }
      : { provider: 'ovh-iplb', serviceName: 'loadbalancer-shop', farmId: 7, servers: { paris: 11, lyon: 12 }, applicationKey: 'shop-pra', applicationSecret: { env: 'SHOP_OVH_AS' }, consumerKey: { file: '/etc/shop/ovh-consumer-key' } };
  const etcd = { endpoints: ['https://etcd1.shop.example.com:2379'] };
  return {
    name: `${prefix}-shop`,
    sites: sites.map((s) => ({
      name: s.name,
      role: s.role,
      vcenter: { url: `https://vcenter.${s.name}.shop.example.com/sdk`, datacenter: `dc-${s.name}`, username: `pra@${s.name}`, password: { env: `SHOP_${s.name.toUpperCase()}_VCENTER` } },
      zerto: { url: `https://zvm.${s.name}.shop.example.com`, username: 'pra', password: { file: `/etc/shop/zerto-${s.name}` } },
      cluster: 'Cluster-A',
      datastore: `vsan-${s.name}`,
      network: `vlan-${s.octet}`,
      publicIp: s.publicIp,
      subnet: `10.${s.octet}.0.0/24`,
      gateway: `10.${s.octet}.0.1`,
    })),
    vms,
    vpgs: sites.map((s, k) => ({
      name: `VPG-${prefix.toUpperCase()}-${s.name.toUpperCase()}`,
      source: s.name,
      target: sites[1 - k].name,
      vms: vms.filter((vm) => vm.site === s.name).map((vm) => vm.name),
      recovery: k === 0 ? 'move' : 'failover',
    })),
    traffic: { dns: DNS[kinds.dns], lb },
    checks: {
      http: [{ name: 'shop-health', url: 'https://{ip}/healthz', vm: vmName(0, 'paris'), expectJson: { status: 'green' } }],
      mysql: [{ name: 'shop-db', role: 'db', user: 'pra_check', password: { env: 'SHOP_DB_CHECK' }, schemas: ['shop'] }],
    },
    jobs: {
      web: [{ name: 'sitemap', schedule: '*/2 * * * *', durationSeconds: 40 }],
      db: [
        { name: 'backup', schedule: '*/5 * * * *', durationSeconds: 150 },
        { name: 'purge', schedule: '* * * * *', durationSeconds: 12 },
      ],
    },
    guard: { sources: [...kinds.sources], ...(kinds.sources.includes('etcd') ? { etcd } : {}), ...(kinds.sources.includes('file') ? { ssh: { user: 'root', privateKey: { file: '/etc/shop/guest-ssh-key' }, insecureAcceptAnyHostKey: true } } : {}) },
    authority: kinds.authority === 'file' ? { backend: 'file', path: '.pra/authority.json' } : { backend: 'etcd', ...etcd },
  };
}

/** Writes the topology as a YAML file in `dir`, as a user keeps it. */
export function writeTopology(dir: string, topology: TopologyInput): string {
  const file = join(dir, `${topology.name}.yaml`);
  writeFileSync(file, stringify(topology));
  return file;
}
