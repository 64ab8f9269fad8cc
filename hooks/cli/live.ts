import { failoverIps, vpgSpecs, type Site, type Topology } from '../../topology';
import { VpgReconciler } from '../drivers/zerto/reconcile';
import { zertoSiteName } from '../drivers/zerto/config';
import type { ActiveSiteRecord, Authority } from '../drivers/authority';
import { authorityFromTopology } from '../drivers/authority/from-topology';
import { withTimeout } from '../drivers/common/retry';
import { dnsProviderFor } from '../drivers/dns/from-topology';
import type { DnsProvider } from '../drivers/dns';
import { loadBalancerFromTopology } from '../drivers/lb/from-topology';
import type { LbServer, LoadBalancer } from '../drivers/lb';
import { VsphereClient, vsphereConfigForSite } from '../drivers/vsphere';
import type { ZertoDriver } from '../drivers/zerto/driver';
import { zertoDriverForSite } from '../drivers/zerto/from-topology';
import { describeError } from '../drivers/common/errors';
import { vmsOf } from '../steps/topology-views';

/** One system's answer, or why it gave none: a read verb shows every answer it got and every error. */
export type Reading<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export interface VpgReading {
  readonly name: string;
  readonly source: string;
  readonly target: string;
  /** The ZVM asked: the recovery site's, which runs the VPG's recovery operations. */
  readonly zvm: string;
  readonly status: string;
  readonly subStatus: string;
  readonly actualRpoSeconds: number;
  readonly rpoTargetSeconds: number;
  /** Whether the VPG's NIC settings re-IP each VM to its topology address (H13): `ok`, or what differs. */
  readonly reIp: string;
}

export interface DnsReading {
  readonly record: string;
  /** The address of the active site (per the failback state) every nameserver should answer. */
  readonly expected: string;
  readonly ok: boolean;
  readonly nameservers: readonly { readonly nameserver: string; readonly addresses: readonly string[]; readonly sites: readonly string[]; readonly error?: string }[];
}

/** How long one system may take to answer a read before it is reported as failed. */
const READ_TIMEOUT_MS = 20_000;

/**
 * Read-only access to every system of a topology, each built and asked independently: a missing secret or a
 * dead vCenter turns into that system's error, never into a failure of the whole read.
 */
export class LiveReader {
  private readonly vcenters = new Map<string, VsphereClient>();
  private readonly zertos = new Map<string, ZertoDriver>();
  private authorityDriver?: Authority;
  private dnsDriver?: DnsProvider;
  private lbDriver?: LoadBalancer;

  constructor(
    readonly topology: Topology,
    private readonly ctx: { readonly cwd: string; readonly env: NodeJS.ProcessEnv },
  ) {}

  /** Power state of `names` (default: every VM of `site`) by VM name (`absent` when vCenter does not know it). */
  powerStates(site: string, names: readonly string[] = vmsOf(this.topology, site)): Promise<Reading<Record<string, string>>> {
    return read(`vcenter ${site}`, async () => {
      const states = await this.vcenter(site).powerStates(names);
      return Object.fromEntries(names.map((vm) => [vm, states.get(vm) ?? 'absent']));
    });
  }

  /** Every VPG of the topology as its recovery site's ZVM reports it, in topology order. */
  vpgs(): Promise<{ readonly name: string; readonly reading: Reading<VpgReading> }[]> {
    return Promise.all(
      this.topology.vpgs.map(async (spec) => ({
        name: spec.name,
        reading: await read(`zerto ${spec.target}`, async () => {
          const vpg = await this.zerto(spec.target).getVpg(spec.name);
          return {
            name: spec.name,
            source: vpg.sourceSite ?? spec.source,
            target: vpg.targetSite ?? spec.target,
            zvm: spec.target,
            status: vpg.statusName,
            subStatus: vpg.subStatusName,
            actualRpoSeconds: vpg.actualRpoSeconds,
            rpoTargetSeconds: spec.rpoTargetSeconds,
            reIp: await this.reIpOf(spec.name, spec.target),
          };
        }),
      })),
    );
  }

  authority(): Promise<Reading<{ readonly backend: string; readonly record: ActiveSiteRecord | null }>> {
    return read('authority', async () => {
      this.authorityDriver ??= authorityFromTopology(this.topology, this.ctx.cwd);
      return { backend: this.authorityDriver.description, record: (await this.authorityDriver.read()) ?? null };
    });
  }

  /** The record as every authoritative nameserver answers it, against the active site's address. */
  dns(activeSite: string): Promise<Reading<DnsReading>> | undefined {
    const spec = this.topology.traffic.dns;
    if (!spec) return undefined;
    return read(`dns ${spec.provider}`, async () => {
      this.dnsDriver ??= dnsProviderFor(spec, { env: this.ctx.env });
      const expected = this.siteIp(activeSite);
      const verification = await this.dnsDriver.verify({ name: spec.record, addresses: [expected] });
      return {
        record: spec.record === '@' ? spec.zone : `${spec.record}.${spec.zone}`,
        expected,
        ok: verification.ok,
        nameservers: verification.answers.map((a) => ({ nameserver: a.nameserver, addresses: a.addresses, sites: a.addresses.map((ip) => this.siteOfIp(ip)), error: a.error })),
      };
    });
  }

  lb(): Promise<Reading<LbServer[]>> | undefined {
    if (!this.topology.traffic.lb) return undefined;
    return read(`lb ${this.topology.traffic.lb.provider}`, async () => {
      this.lbDriver ??= loadBalancerFromTopology(this.topology, this.ctx.env);
      return this.lbDriver!.servers();
    });
  }

  /** The re-IP differences `pra vpg sync` would fix, read through a settings copy that is discarded. */
  private async reIpOf(vpgName: string, zvm: string): Promise<string> {
    try {
      const spec = vpgSpecs(this.topology).find((g) => g.name === vpgName)!;
      const siteNames = Object.fromEntries(this.topology.sites.map((site) => [site.name, zertoSiteName(site)]));
      const plan = await new VpgReconciler(this.zerto(zvm), { siteNames }).plan(spec, failoverIps(this.topology, vpgName));
      if (plan.action === 'skip') return `not checked: ${plan.reason}`;
      const differs = plan.action === 'unchanged' ? [] : plan.changes.filter((c) => c.field.startsWith('re-IP '));
      return differs.length ? `differs: ${differs.map((c) => `${c.field.slice('re-IP '.length)} ${c.from} (wanted ${c.to})`).join('; ')}` : 'ok';
    } catch (error) {
      return `unknown (${describeError(error)})`;
    }
  }

  /** The vCenter client of `site`, built on first use (its password read then). */
  private vcenter(site: string): VsphereClient {
    let client = this.vcenters.get(site);
    if (!client) {
      client = new VsphereClient(vsphereConfigForSite(this.site(site), this.ctx.env));
      this.vcenters.set(site, client);
    }
    return client;
  }

  private zerto(site: string): ZertoDriver {
    let driver = this.zertos.get(site);
    if (!driver) {
      driver = zertoDriverForSite(this.site(site), this.ctx.env);
      this.zertos.set(site, driver);
    }
    return driver;
  }

  private siteIp(site: string): string {
    return this.site(site).publicIp;
  }

  private site(name: string): Site {
    const found = this.topology.sites.find((s) => s.name === name);
    if (!found) throw new Error(`site ${name} is not declared in the topology`);
    return found;
  }

  private siteOfIp(ip: string): string {
    return this.topology.sites.find((s) => s.publicIp === ip)?.name ?? 'unknown';
  }

  async close(): Promise<void> {
    await Promise.allSettled([
      ...[...this.vcenters.values()].map((v) => v.close()),
      ...[...this.zertos.values()].map((z) => z.client.close()),
      this.authorityDriver?.close(),
    ]);
  }
}

async function read<T>(system: string, fn: () => Promise<T>): Promise<Reading<T>> {
  try {
    return { ok: true, value: await withTimeout(fn(), READ_TIMEOUT_MS, system, `reading ${system}`) };
  } catch (error) {
    const message = describeError(error);
    return { ok: false, error: message.startsWith(system) ? message : `${system}: ${message}` };
  }
}
