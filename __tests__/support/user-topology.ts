import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { driverFamily, type DriverFamily, type TopologyInput } from '../../topology';

/**
 * A user's own topology, as a new user writes it: sites `paris` (primary) and `lyon` (standby), `pairs` VM
 * pairs named after `prefix` in three roles with their own cron jobs (and one role without, which gets
 * the drill's synthetic jobs), move and failover VPGs, HTTP and MySQL checks, on the drivers of `family`.
 */
export function aUserTopology(prefix: string, family: DriverFamily, pairs = 3): TopologyInput {
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
    ...driverFamily(family, 'paris', 'lyon'),
  };
}

/** Writes the topology as a YAML file in `dir`, as a user keeps it. */
export function writeTopology(dir: string, topology: TopologyInput): string {
  const file = join(dir, `${topology.name}.yaml`);
  writeFileSync(file, stringify(topology));
  return file;
}
