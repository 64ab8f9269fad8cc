import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseHostPorts } from '../../hooks/drivers/dns/verify';
import type { SecretRefSpec, Site, Topology, TopologyInput, Vm } from '../../topology';
import { REPO_ROOT, type Env } from '../core';
import { guestRoot } from '../guests/fleet';
import { laneBackend, laneRecord } from './lanes';

/**
 * A user's topology rehearsed on this machine: the same sites, VMs, VPGs, jobs and driver kinds (DNS
 * provider, load balancer, authority backend, guard sources, probes), every endpoint pointed at the local
 * server or simulator of that kind. The testenv has two of everything site-shaped (vCenter, HAProxy server,
 * IPLB server), filled by role: the primary site takes the `rbx` slot, the standby the `sbg` slot.
 *
 * Secrets are the local servers' (made up at each testenv start) and reach the drivers through the
 * references the topology names: `{ env: NAME }` is set in the drill's environment, `{ file: PATH }` is
 * written under the drill directory, named after its path (the user's own file is never touched). One
 * variable naming two secrets the local servers hold apart is given the second through the testenv's name.
 */
export interface LocalWorld {
  readonly topology: TopologyInput;
  /** Environment entries the drivers read (`{ env }` references). */
  readonly env: Record<string, string>;
  /** What the drill changed in the topology's secret references, and why. */
  readonly notes: readonly string[];
}

/** The testenv's slot (env key infix) for a site: by role, so that any site names fit. */
export const slotOf = (site: Pick<Site, 'role'>): 'RBX' | 'SBG' => (site.role === 'primary' ? 'RBX' : 'SBG');

export function needEnv(env: Env): (key: string) => string {
  return (key) => {
    const value = env[key];
    if (!value) throw new Error(`drill: ${key} missing from the local environment; run testenv up`);
    return value;
  };
}

/** Hands local secrets to the drivers through the topology's own references. */
class SecretGiver {
  readonly env: Record<string, string> = {};
  private readonly files = new Map<string, string>();
  /** References the drill could not honour as written, and what it did instead. */
  readonly notes: string[] = [];
  constructor(private readonly dir: string) {}

  give(ref: SecretRefSpec | undefined, value: string, fallbackEnv: string): SecretRefSpec {
    if (ref?.file !== undefined) {
      // The whole path in one file name: /etc/a/key and /etc/b/key stay apart; a path naming two secrets gets a second file.
      let file = join(this.dir, 'secrets', ref.file.replace(/[^A-Za-z0-9._-]/g, '_'));
      if (this.files.has(file) && this.files.get(file) !== value) file = `${file}.${this.files.size}`;
      this.files.set(file, value);
      mkdirSync(join(this.dir, 'secrets'), { recursive: true, mode: 0o700 });
      writeFileSync(file, value, { mode: 0o600 });
      return { file };
    }
    let name = ref?.env ?? fallbackEnv;
    if (this.env[name] !== undefined && this.env[name] !== value) {
      // One variable for two secrets (a vCenter and a ZVM behind one SSO password): the local servers have one each.
      this.notes.push(`{ env: ${name} } names two secrets that differ here; the drill gives the second through ${fallbackEnv}`);
      name = fallbackEnv;
    }
    this.env[name] = value;
    return { env: name };
  }
}

/**
 * A site with the vCenter of its slot and the ZVM at `zertoUrl`. `ownDatacenter`: the site keeps its datacenter (the
 * drill creates it in vcsim with the site's cluster, datastore and network: testenv/vcsim/placement.go); else it
 * takes the slot's default datacenter, where the testenv's example VMs are.
 */
export function localSite(site: Site, env: Env, zertoUrl: string, options: { secrets?: SecretGiver; ownDatacenter?: boolean } = {}): TopologyInput['sites'][number] {
  const need = needEnv(env);
  const slot = slotOf(site);
  const { secrets } = options;
  const give = (ref: SecretRefSpec, key: string) => (secrets ? secrets.give(ref, need(key), key) : { env: key });
  const clientCredentials = secrets !== undefined && site.zerto.grant === 'client_credentials';
  const datacenter = options.ownDatacenter ? site.vcenter.datacenter : need(`PRA_TESTENV_VCENTER_${slot}_DATACENTER`);
  return {
    ...site,
    vcenter: { ...site.vcenter, url: need(`PRA_TESTENV_VCENTER_${slot}_URL`), datacenter, username: need('PRA_TESTENV_VCENTER_USER'), password: give(site.vcenter.password, 'PRA_TESTENV_VCENTER_PASSWORD'), caFile: need('PRA_TESTENV_CA'), insecure: false },
    zerto: {
      ...(secrets ? site.zerto : { auth: 'keycloak' }),
      siteName: undefined,
      url: zertoUrl,
      username: need(clientCredentials ? 'PRA_TESTENV_ZERTO_CLIENT_ID' : 'PRA_TESTENV_ZERTO_USERNAME'),
      password: give(site.zerto.password, clientCredentials ? 'PRA_TESTENV_ZERTO_CLIENT_SECRET' : 'PRA_TESTENV_ZERTO_PASSWORD'),
      caFile: need('PRA_TESTENV_CA'),
      insecure: false,
    },
  };
}

/** A VM whose guest is a directory of the drill, reached over the local OpenSSH. */
export function localVm(vm: Vm, env: Env, dir: string): TopologyInput['vms'][number] {
  return { ...vm, guest: { sshHost: '127.0.0.1', sshPort: Number(needEnv(env)('PRA_TESTENV_SSH_PORT')), guardRoot: guestRoot(dir, vm.name) } };
}

/** The guard's local parts: the testenv's etcd (a key per drill), OpenSSH, and the repository's pra-guard for drains. */
export function localGuard(guard: Topology['guard'], env: Env, dir: string, secrets?: SecretGiver): TopologyInput['guard'] {
  const need = needEnv(env);
  const sshKey = need('PRA_TESTENV_SSH_KEY');
  return {
    ...guard,
    etcd: guard.sources.includes('etcd') || !secrets ? { endpoints: [need('PRA_TESTENV_ETCD_ENDPOINT')], key: `/pra/drill/${basename(dir)}/active-site`, timeoutMs: guard.etcd?.timeoutMs ?? 1000 } : undefined,
    // Drains run the guard over SSH: the repository's copy, byte for byte what the userdata installs.
    command: join(REPO_ROOT, 'guard', 'pra-guard'),
    ssh: {
      user: need('PRA_TESTENV_SSH_USER'),
      port: Number(need('PRA_TESTENV_SSH_PORT')),
      privateKey: secrets && guard.ssh ? secrets.give(guard.ssh.privateKey, readFileSync(sshKey, 'utf8'), 'PRA_DRILL_SSH_KEY') : { file: sshKey },
      hostKeySha256: [need('PRA_TESTENV_SSH_HOST_KEY_SHA256')],
    },
  };
}

function localTraffic(user: Topology, env: Env, secrets: SecretGiver, lane: number): TopologyInput['traffic'] {
  const need = needEnv(env);
  const [primary, standby] = [user.sites.find((s) => s.role === 'primary')!, user.sites.find((s) => s.role === 'standby')!];
  const bySlot = <T>(rbx: T, sbg: T) => ({ [primary.name]: rbx, [standby.name]: sbg });
  const ovh = (refs: { applicationSecret: SecretRefSpec; consumerKey: SecretRefSpec }) => ({
    endpoint: need('PRA_TESTENV_OVH_ENDPOINT'),
    applicationKey: need('PRA_TESTENV_OVH_APP_KEY'),
    applicationSecret: secrets.give(refs.applicationSecret, need('PRA_TESTENV_OVH_APP_SECRET'), 'PRA_TESTENV_OVH_APP_SECRET'),
    consumerKey: secrets.give(refs.consumerKey, need('PRA_TESTENV_OVH_CONSUMER_KEY'), 'PRA_TESTENV_OVH_CONSUMER_KEY'),
    caFile: need('PRA_TESTENV_CA'),
    insecure: false,
  });
  const { dns, lb } = user.traffic;
  // Every DNS kind is served from the drill zone of the testenv BIND, at the lane's record.
  const common = dns && { zone: need('PRA_TESTENV_DNS_DRILL_ZONE'), record: laneRecord(lane), ttlSeconds: dns.ttlSeconds, nameservers: parseHostPorts(need('PRA_TESTENV_DNS_SERVERS')) };
  let localDns: TopologyInput['traffic']['dns'];
  if (dns?.provider === 'ovh') localDns = { provider: 'ovh', ...common!, ...ovh(dns) };
  else if (dns?.provider === 'route53') {
    localDns = {
      provider: 'route53',
      ...common!,
      hostedZoneId: need('PRA_TESTENV_R53_DRILL_ZONE_ID'),
      region: dns.region,
      endpoint: need('PRA_TESTENV_R53_ENDPOINT'),
      accessKeyId: secrets.give(dns.accessKeyId, need('PRA_TESTENV_R53_ACCESS_KEY_ID'), 'AWS_ACCESS_KEY_ID'),
      secretAccessKey: secrets.give(dns.secretAccessKey, need('PRA_TESTENV_R53_SECRET_ACCESS_KEY'), 'AWS_SECRET_ACCESS_KEY'),
      caFile: need('PRA_TESTENV_CA'),
      insecure: false,
    };
  } else if (dns?.provider === 'rfc2136') {
    localDns = { provider: 'rfc2136', ...common!, server: parseHostPorts(need('PRA_TESTENV_DNS_PRIMARY'))[0], tsigKeyName: need('PRA_TESTENV_TSIG_NAME'), tsigAlgorithm: 'hmac-sha256', tsigSecret: secrets.give(dns.tsigSecret, need('PRA_TESTENV_TSIG_SECRET'), 'PRA_TESTENV_TSIG_SECRET') };
  }
  let localLb: TopologyInput['traffic']['lb'];
  if (lb?.provider === 'haproxy') {
    localLb = { provider: 'haproxy', adminSocket: need('PRA_TESTENV_HAPROXY_SOCKET'), backend: laneBackend(env, lane), servers: bySlot(need('PRA_TESTENV_HAPROXY_SERVER_RBX'), need('PRA_TESTENV_HAPROXY_SERVER_SBG')) };
  } else if (lb?.provider === 'ovh-iplb') {
    const ids = Object.fromEntries(need('PRA_TESTENV_OVH_IPLB_SERVERS').split(',').map((pair) => pair.split('=')));
    localLb = { provider: 'ovh-iplb', ...ovh(lb), serviceName: need('PRA_TESTENV_OVH_IPLB_SERVICE'), farmId: Number(need('PRA_TESTENV_OVH_IPLB_FARM')), servers: bySlot(Number(ids.rbx), Number(ids.sbg)) };
  }
  return { dns: localDns, lb: localLb };
}

/**
 * `user` pointed at the local environment. `zertoUrls`: site name -> ZVM URL of the drill's Zerto simulator
 * instance; `httpStandIn`: base URL of the server answering the topology's HTTP checks.
 */
export function localTopology(user: Topology, env: Env, dir: string, options: { zertoUrls: Readonly<Record<string, string>>; httpStandIn: string; lane: number }): LocalWorld {
  const need = needEnv(env);
  const secrets = new SecretGiver(dir);
  const topology: TopologyInput = {
    ...user,
    sites: user.sites.map((site) => localSite(site, env, options.zertoUrls[site.name], { secrets, ownDatacenter: true })),
    vms: user.vms.map((vm) => localVm(vm, env, dir)),
    traffic: localTraffic(user, env, secrets, options.lane),
    checks: {
      // Each HTTP check asks the stand-in, on its own path, for what it expects (stand-in.ts).
      http: user.checks.http.map((check) => ({ ...check, url: `${options.httpStandIn}/${encodeURIComponent(check.name)}`, caFile: undefined, insecure: false })),
      // MySQL checks log in to the local MariaDB with the drill's user, on its database.
      mysql: user.checks.mysql.map((check) => ({ ...check, port: Number(need('PRA_TESTENV_MYSQL_PORT')), user: need('PRA_TESTENV_MYSQL_USER'), password: secrets.give(check.password, need('PRA_TESTENV_MYSQL_PASSWORD'), 'PRA_TESTENV_MYSQL_PASSWORD'), schemas: [need('PRA_TESTENV_MYSQL_DATABASE')] })),
    },
    guard: localGuard(user.guard, env, dir, secrets),
    authority:
      user.authority.backend === 'file'
        ? { backend: 'file', path: join(dir, 'authority.json') }
        : { ...user.authority, endpoints: [need('PRA_TESTENV_ETCD_ENDPOINT')], key: `/pra/drill/${basename(dir)}/authority` },
    terraformBackend: { type: 'local' },
  };
  return { topology, env: secrets.env, notes: secrets.notes };
}
