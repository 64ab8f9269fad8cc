import { parseTopology } from './load';
import type { Topology, TopologyInput } from './schema';

/**
 * Driver families a topology can be built on, each a different kind of every driver: DNS provider, load
 * balancer, authority backend and guard sources. `ovh` is the generator's default (OVH DNS only).
 */
export type DriverFamily = 'ovh' | 'ovh-iplb-file' | 'route53-haproxy-etcd' | 'rfc2136-haproxy-file';
export const DRIVER_FAMILIES: readonly DriverFamily[] = ['ovh', 'ovh-iplb-file', 'route53-haproxy-etcd', 'rfc2136-haproxy-file'];

export interface GeneratedTopologyOptions {
  /** Total VM count, split evenly between the two sites (each VM peered with its twin). */
  readonly vms: number;
  /** @default 50 (a VPG of a few dozen VMs, as Zerto sizing guides suggest) */
  readonly vmsPerVpg?: number;
  /** @default 'ovh' */
  readonly drivers?: DriverFamily;
}

type Drivers = Pick<TopologyInput, 'traffic' | 'authority' | 'guard'>;

/** The traffic, authority and guard blocks of a driver family, for sites `primary` and `standby` (made-up endpoints, secrets by reference). */
export function driverFamily(family: DriverFamily, primary: string, standby: string): Drivers {
  const zone = { zone: 'app.example.net', record: 'www' };
  const ovhKeys = { applicationKey: 'pra-generated', applicationSecret: { env: 'PRA_OVH_APPLICATION_SECRET' }, consumerKey: { file: '/etc/pra/ovh-consumer-key' } };
  const etcd = { endpoints: ['https://etcd1.example.net:2379'] };
  const haproxy = { provider: 'haproxy' as const, adminSocket: '/run/haproxy/admin.sock', backend: 'be_app', servers: { [primary]: `app-${primary}`, [standby]: `app-${standby}` } };
  const ssh = { user: 'root', privateKey: { file: '/etc/pra/guest-ssh-key' }, insecureAcceptAnyHostKey: true };
  switch (family) {
    case 'ovh':
      return { traffic: { dns: { provider: 'ovh', zone: 'example.com', record: 'app', applicationKey: 'generated', applicationSecret: { env: 'OVH_AS' }, consumerKey: { env: 'OVH_CK' } } } };
    case 'ovh-iplb-file':
      return {
        traffic: { dns: { provider: 'ovh', ...zone, ...ovhKeys }, lb: { provider: 'ovh-iplb', serviceName: 'loadbalancer-app', farmId: 7, servers: { [primary]: 11, [standby]: 12 }, ...ovhKeys } },
        authority: { backend: 'file', path: '.pra/authority.json' },
        guard: { sources: ['guestinfo', 'file'], ssh },
      };
    case 'route53-haproxy-etcd':
      return {
        traffic: { dns: { provider: 'route53', ...zone, hostedZoneId: 'Z0APP000000001', accessKeyId: { env: 'PRA_AWS_KEY_ID' }, secretAccessKey: { file: '/etc/pra/aws-secret' } }, lb: haproxy },
        authority: { backend: 'etcd', ...etcd },
        guard: { sources: ['guestinfo', 'etcd'], etcd },
      };
    case 'rfc2136-haproxy-file':
      return {
        traffic: { dns: { provider: 'rfc2136', ...zone, server: { host: 'ns1.example.net', port: 53 }, tsigKeyName: 'pra-update', tsigSecret: { file: '/etc/pra/tsig.key' } }, lb: haproxy },
        authority: { backend: 'file', path: '.pra/authority.json' },
        guard: { sources: ['file', 'etcd'], etcd, ssh },
      };
  }
}

function site(name: string, role: 'primary' | 'standby', octet: number, publicIp: string): TopologyInput['sites'][number] {
  const endpoint = (host: string) => ({ url: `https://${host}`, username: `pra@${name}`, password: { env: `PRA_${name.toUpperCase()}_PASSWORD` } });
  return {
    name,
    role,
    vcenter: { ...endpoint(`vcenter.${name}.example.net/sdk`), datacenter: `dc-${name}` },
    zerto: endpoint(`zerto.${name}.example.net`),
    cluster: 'Cluster1',
    datastore: `ds-${name}`,
    network: `net-${name}`,
    publicIp,
    subnet: `10.${octet}.0.0/16`,
    gateway: `10.${octet}.0.1`,
  };
}

/**
 * A valid two-site topology of any size: the benchmark's input and the tests' factory. Sites rbx/sbg,
 * VMs `VM-APP-0001-RBX` peered with `VM-APP-0001-SBG`, VPGs in both directions.
 */
export function generateTopologyInput(options: GeneratedTopologyOptions): TopologyInput {
  const pairs = Math.max(1, Math.floor(options.vms / 2));
  const perVpg = options.vmsPerVpg ?? 50;
  const sites = [site('rbx', 'primary', 100, '203.0.113.10'), site('sbg', 'standby', 200, '198.51.100.20')];
  const name = (i: number, s: string) => `VM-APP-${String(i + 1).padStart(4, '0')}-${s.toUpperCase()}`;
  const ip = (i: number, octet: number) => `10.${octet}.${Math.floor(i / 250)}.${(i % 250) + 2}`;
  const vms = sites.flatMap((s, k) => {
    const other = sites[1 - k].name;
    return Array.from({ length: pairs }, (_, i) => ({
      name: name(i, s.name),
      site: s.name,
      role: i % 2 ? 'mysql' : 'docker',
      ip: ip(i, k ? 200 : 100),
      template: i % 2 ? 'debian-12-mysql' : 'debian-12-docker',
      cpus: 2,
      memoryMiB: 4096,
      peer: name(i, other),
    }));
  });
  const vpgs = sites.flatMap((s, k) => {
    const target = sites[1 - k].name;
    return Array.from({ length: Math.ceil(pairs / perVpg) }, (_, g) => ({
      name: `VPG-${s.name.toUpperCase()}-TO-${target.toUpperCase()}-${String(g + 1).padStart(3, '0')}`,
      source: s.name,
      target,
      vms: Array.from({ length: Math.min(perVpg, pairs - g * perVpg) }, (_, j) => name(g * perVpg + j, s.name)),
    }));
  });
  return { name: 'generated', sites, vms, vpgs, ...driverFamily(options.drivers ?? 'ovh', 'rbx', 'sbg') };
}

/** The generated topology, loaded through the real loader (so it is valid by the same rules as a file). */
export function generateTopology(options: GeneratedTopologyOptions): Topology {
  return parseTopology(`generated-${options.vms}.json`, JSON.stringify(generateTopologyInput(options)));
}

/**
 * A "billion laughs" YAML document: nine levels of nine aliases, 9^9 copies of "lol" once expanded, the last
 * level aliased into `field` (a real topology field). The hostile-input tests and benchmark feed it to the loader.
 */
export function aliasBombYaml(field: string): string {
  const levels = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'];
  const lines = levels.map((name, i) => `${name}: &${name} [${Array(9).fill(i ? `*${levels[i - 1]}` : '"lol"').join(', ')}]`);
  return `${lines.join('\n')}\n${field}: *i\n`;
}
