import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { loadTopology, parseTopology, type Topology } from '../../../topology';
import { readBody, sendJson } from '../common';
import type { FaultRule } from './faults';
import { SimInstance, type TlsFiles } from './instance';
import type { SiteVmPower } from './power';
import { placementOf } from '../../vcsim/inventory';
import type { VcenterPower } from './vcenter-power';
import type { RecoveredNames, WorldOptions } from './world';

/** What an instance may differ in from the daemon's options. */
export interface InstanceOverrides extends Partial<Pick<WorldOptions, 'activeSite' | 'withoutVpgs' | 'topology' | 'recoveredNames'>> {
  /**
   * Power VMs for real in the sites' vCenters. Opt-in per instance: the example topology's VMs are shared
   * by every test file, so only the instances that mean to change their power do.
   */
  readonly vcenter?: boolean;
  /**
   * Topology site name -> the vCenter simulator's site (PRA_TESTENV_VCENTER_<SITE>_*) that holds its VMs,
   * for a topology whose sites are not named like the testenv's (a drill of a user's topology).
   * @default each site's own name
   */
  readonly vcenterSites?: Readonly<Record<string, string>>;
  /**
   * The VMs live in each site's own datacenter of the instance's topology (`vcenter.datacenter`, with its
   * `cluster`, `datastore` and `network`, as testenv/vcsim creates them): powered and removed there, and a
   * recovery creates VMs there. For a drill of a user's topology. @default false: the simulators' default datacenter
   */
  readonly ownDatacenters?: boolean;
}

/** VM actions for a site done in the vCenter of the site it is mapped to. */
function mappedPower(power: SiteVmPower, sites: Readonly<Record<string, string>>): SiteVmPower {
  const mapped = (site: string) => sites[site] ?? site;
  return {
    powerOn: (site, vms) => power.powerOn(mapped(site), vms),
    powerOff: (site, vms) => power.powerOff(mapped(site), vms),
    create: (site, vms) => power.create(mapped(site), vms.map((vm) => ({ ...vm, from: { ...vm.from, site: mapped(vm.from.site) } }))),
    remove: (site, vms) => power.remove(mapped(site), vms),
  };
}

/**
 * The simulator's control endpoint (plain HTTP on loopback, never part of the Zerto API). Tests create
 * their own isolated instance, inject faults, tune delays and read the state back:
 *   GET /instances, POST /instances {activeSite?, withoutVpgs?, vcenter?, vcenterSites?, ownDatacenters?, topology?, recoveredNames?}, DELETE /instances/{id}
 *     (topology: a topology file path or an inline topology object, for VMs and VPGs other than the
 *     daemon's, e.g. a generated topology of 200 VMs for the benchmarks)
 *   GET /instances/{id}/state, POST .../reset {activeSite?}
 *   PUT .../lost {sites: [name]} (a disaster: VM actions at those sites fail), PUT .../disks {site: {vm: guest root}} (the drill's guests whose disks recoveries carry; reset forgets them)
 *   POST .../faults {path, method?, kind: latency|status|drop|lose, latencyMs?, status?, count?}, DELETE .../faults
 *   PUT .../delays {syncMs?, commitMs?, reverseProtectionMs?}, PUT .../auth {sessionIdleMs?, accessTokenMs?, refreshTokenMs?}
 *   POST .../auth/expire, POST .../alerts {vpgName, level, description}, PATCH .../vpgs/{name} {actualRpoSeconds?, status?, subStatus?}
 */
export class Control {
  private readonly instances = new Map<string, SimInstance>();

  constructor(
    private readonly options: WorldOptions,
    private readonly tls: TlsFiles,
    /** The sites' vCenters, when the daemon was given them. */
    private readonly vcenterPower?: VcenterPower,
  ) {}

  async addInstance(id: string, ports: Readonly<Record<string, number>> = {}, overrides: InstanceOverrides = {}): Promise<SimInstance> {
    const { vcenter, vcenterSites = {}, ownDatacenters, ...rest } = overrides;
    if (vcenter && !this.vcenterPower) throw new Error('this simulator was started without vCenter endpoints (PRA_TESTENV_VCENTER_*): it cannot power VMs');
    const topology = rest.topology ?? this.options.topology;
    const vcenters = ownDatacenters ? this.vcenterPower?.inDatacenters(Object.fromEntries(topology.sites.map((s) => [vcenterSites[s.name] ?? s.name, placementOf(s)]))) : this.vcenterPower;
    const power = vcenter && vcenters ? mappedPower(vcenters, vcenterSites) : undefined;
    const instance = await SimInstance.start(id, { ...this.options, ...rest, vcenter: power }, this.tls, ports);
    this.instances.set(id, instance);
    return instance;
  }

  listen(port: number): Promise<Server> {
    const server = createServer((req, res) => {
      this.handle(req).then(
        ([status, body]) => sendJson(res, status, body),
        (e: Error) => sendJson(res, 400, { error: e.message }),
      );
    });
    // Tests keep a connection between calls (fetch's pool) and may sit idle for seconds on a loaded machine: with
    // Node's 5 s default the server could close it just as the next call went out ("other side closed", bench:loaded).
    server.keepAliveTimeout = 120_000;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve(server));
    });
  }

  private async handle(req: IncomingMessage): Promise<[number, unknown]> {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://control').pathname;
    const body = await readJson(req);
    if (path === '/instances' && method === 'GET') return [200, [...this.instances.values()].map(describe)];
    if (path === '/instances' && method === 'POST') {
      const overrides = {
        ...(typeof body.activeSite === 'string' ? { activeSite: body.activeSite } : {}),
        ...(Array.isArray(body.withoutVpgs) ? { withoutVpgs: body.withoutVpgs.map(String) } : {}),
        ...(body.topology === undefined ? {} : { topology: topologyOf(body.topology) }),
        vcenter: body.vcenter === true,
        ...(body.recoveredNames === undefined ? {} : { recoveredNames: recoveredNamesOf(body.recoveredNames) }),
        ...(typeof body.vcenterSites === 'object' && body.vcenterSites !== null ? { vcenterSites: body.vcenterSites as Record<string, string> } : {}),
        ownDatacenters: body.ownDatacenters === true,
      };
      return [201, describe(await this.addInstance(randomUUID(), {}, overrides))];
    }
    const m = /^\/instances\/([^/]+)(\/.*)?$/.exec(path);
    const instance = m ? this.instances.get(m[1]) : undefined;
    if (!m || !instance) return [404, { error: `no such control resource ${path}` }];
    const world = instance.world;
    const rest = m[2] ?? '';
    const route = `${method} ${rest}`;
    if (route === 'DELETE ') {
      this.instances.delete(instance.id);
      await instance.close();
      return [200, {}];
    }
    if (route === 'GET /state') return [200, world.snapshot()];
    if (route === 'POST /reset') world.reset(body.activeSite as string | undefined);
    else if (route === 'POST /faults') world.faults.add(body as unknown as FaultRule);
    else if (route === 'DELETE /faults') world.faults.clear();
    else if (route === 'PUT /lost') {
      const sites = Array.isArray(body.sites) ? body.sites.map(String) : [];
      world.power.lost.clear();
      for (const site of sites) world.power.lost.add(site);
    } else if (route === 'PUT /disks') world.disks.set(body as Record<string, Record<string, string>>);
    else if (route === 'PUT /delays') Object.assign(world.recoveries.delays, numbers(body, ['syncMs', 'commitMs', 'reverseProtectionMs']));
    else if (route === 'PUT /auth') Object.assign(world.auth.timing, numbers(body, ['sessionIdleMs', 'accessTokenMs', 'refreshTokenMs']));
    else if (route === 'POST /auth/expire') world.auth.expireAll();
    else if (route === 'POST /alerts') {
      const vpg = world.vpgs.find((v) => v.name === body.vpgName);
      if (!vpg) return [404, { error: `no VPG ${String(body.vpgName)}` }];
      world.alerts.push({ id: randomUUID(), vpgId: vpg.id, level: body.level === 'Error' ? 'Error' : 'Warning', description: String(body.description ?? ''), helpIdentifier: 'VPG0001', turnedOn: new Date().toISOString() });
    } else if (method === 'PATCH' && rest.startsWith('/vpgs/')) {
      const vpg = world.vpgs.find((v) => v.name === decodeURIComponent(rest.slice('/vpgs/'.length)));
      if (!vpg) return [404, { error: `no VPG ${rest}` }];
      const patch = numbers(body, ['actualRpoSeconds', 'status', 'subStatus']);
      Object.assign(vpg, patch);
    } else return [404, { error: `no such control resource ${method} ${path}` }];
    return [200, world.snapshot()];
  }
}

const describe = (i: SimInstance) => ({ id: i.id, urls: i.urls });

function recoveredNamesOf(value: unknown): RecoveredNames {
  if (value === 'protected' || value === 'peer') return value;
  throw new Error(`recoveredNames must be "protected" (the documented model) or "peer" (the seeds'), not ${JSON.stringify(value)}`);
}

/** A topology given to `POST /instances`: a file path, or the topology itself (validated by the same loader). */
function topologyOf(value: unknown): Topology {
  if (typeof value === 'string') return loadTopology(value);
  if (typeof value === 'object' && value !== null) return parseTopology('POST /instances topology', JSON.stringify(value));
  throw new Error('topology must be a file path or a topology object');
}

function numbers(body: Record<string, unknown>, keys: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) {
    if (body[k] === undefined) continue;
    if (typeof body[k] !== 'number' || (body[k] as number) < 0) throw new Error(`${k} must be a non-negative number`);
    out[k] = body[k] as number;
  }
  return out;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = (await readBody(req)).toString('utf8');
  try {
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    throw new Error('body is not JSON');
  }
}
