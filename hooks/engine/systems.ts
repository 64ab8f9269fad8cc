import { join, posix } from 'node:path';
import type { Topology } from '../../topology';
import { authorityFromTopology } from '../drivers/authority/from-topology';
import { guestSshAccess, publishersFromTopology } from '../drivers/authority/publishers/from-topology';
import { shellQuote, type SshSessions } from '../drivers/common/ssh';
import { atomicWriteScript } from '../drivers/authority/publishers/ssh';
import { PermanentError } from '../drivers/common/errors';
import { SshPool } from '../drivers/common/ssh-pool';
import { dnsProviderFor } from '../drivers/dns/from-topology';
import { loadBalancerFromTopology } from '../drivers/lb/from-topology';
import { monotonicClock, probeHttp, probeMysql, probeSshCommand } from '../drivers/probes';
import { resolveSecret } from '../drivers/common/secret';
import { vcentersFromTopology } from '../drivers/vsphere/from-topology';
import { zertoFromTopology } from '../drivers/zerto/from-topology';
import type { FailbackSystems, GuestShell, SiteChecks } from '../steps/systems';
import { FileStateStore } from './failback-state';

/** The guard's site file (docs/guard.md): replicated with the disk, so the engine rewrites it on recovered VMs. */
const SITE_FILE = '/etc/pra/site';

export interface SystemsInput {
  readonly topology: Topology;
  readonly stateFile: string;
}

export interface SystemsContext {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Who the run acts for, written into authority records. */
  readonly operator: string;
}

/** Runs the guard on a guest over SSH, inside the guest's guard root (a real guest's is /). */
function guestShell(topology: Topology, env: NodeJS.ProcessEnv, sessions: SshSessions): GuestShell {
  const access = new Map(guestSshAccess(topology, env).map((g) => [g.vm, g]));
  const guestOf = (vm: string) => {
    const guest = access.get(vm);
    if (!guest) throw new Error(`no guest access for VM ${vm}`);
    return guest;
  };
  return {
    async writeSiteFile(vm, site) {
      const guest = guestOf(vm);
      const result = await sessions(guest.ssh, (session) => session.exec(atomicWriteScript(posix.join(guest.root, SITE_FILE)), { stdin: `${site}\n`, timeoutMs: 15000 }));
      if (result.exitCode !== 0) throw new PermanentError(`ssh ${vm}`, `writing ${SITE_FILE} failed (exit ${result.exitCode ?? result.signal}): ${result.stderr.trim().split('\n')[0] ?? ''}`);
      return result.stdout.trim();
    },
    async guard(vm, args, timeoutMs) {
      const guest = guestOf(vm);
      const root = guest.root === '/' ? '' : `PRA_GUARD_ROOT=${shellQuote(guest.root)} `;
      const result = await probeSshCommand({ target: guest.ssh, command: `${root}${shellQuote(topology.guard.command)} ${args.map(shellQuote).join(' ')}`, timeoutMs }, monotonicClock, sessions);
      return { exitCode: result.exitCode, output: `${result.stdout}${result.stderr}` };
    },
  };
}

/** The topology's health checks for one site: MySQL on that site's VM of the check's role, HTTP checks bound to that site's VMs. */
function siteChecks(topology: Topology, env: NodeJS.ProcessEnv): SiteChecks {
  const host = (vmName: string) => {
    const vm = topology.vms.find((v) => v.name === vmName)!;
    return vm.guest?.sshHost ?? vm.ip;
  };
  return {
    async run(site) {
      const mysql = topology.checks.mysql.flatMap((c) =>
        topology.vms
          .filter((vm) => vm.site === site && vm.role === c.role)
          .map(async (vm) => ({ name: `${c.name} ${vm.name}`, ...(await probeMysql({ host: host(vm.name), port: c.port, user: c.user, password: resolveSecret(c.password, `checks.mysql ${c.name}`, env), schemas: c.schemas })) })),
      );
      const http = topology.checks.http
        .filter((c) => c.vm === undefined || topology.vms.find((v) => v.name === c.vm)?.site === site)
        .map(async (c) => {
          const url = c.url.replace('{site}', site).replace('{ip}', c.vm ? host(c.vm) : '');
          return { name: c.name, ...(await probeHttp({ url, expectStatus: c.expectStatus, expectJson: c.expectJson, expectText: c.expectText, insecure: c.insecure, caFile: c.caFile })) };
        });
      return Promise.all([...mysql, ...http]);
    },
  };
}

/** Every driver a plan needs, built from the topology (secrets read now from env or files). */
export function buildSystems(project: SystemsInput, ctx: SystemsContext): FailbackSystems & { close(): Promise<void> } {
  const { topology } = project;
  const vcenters = vcentersFromTopology(topology, ctx.env);
  const zertos = zertoFromTopology(topology, ctx.env);
  const authority = authorityFromTopology(topology, ctx.cwd);
  // One SSH connection per guest for the whole run: publish, drain and grant reuse it.
  const ssh = new SshPool({ maxSessions: topology.guard.ssh?.maxSessions });
  const publishers = publishersFromTopology(topology, vcenters, ctx.env, ssh.use);
  const pick = <T>(map: Record<string, T>, site: string, what: string): T => {
    const found = map[site];
    if (!found) throw new Error(`no ${what} for site ${site}`);
    return found;
  };
  return {
    topology,
    vcenter: (site) => pick(vcenters, site, 'vCenter'),
    zerto: (site) => pick(zertos, site, 'Zerto'),
    dns: topology.traffic.dns ? dnsProviderFor(topology.traffic.dns, { env: ctx.env }) : undefined,
    lb: loadBalancerFromTopology(topology, ctx.env),
    authority,
    publishers,
    guests: guestShell(topology, ctx.env, ssh.use),
    checks: siteChecks(topology, ctx.env),
    state: new FileStateStore(topology, project.stateFile, join(ctx.cwd, 'cdktf.out')),
    actor: ctx.operator,
    now: () => new Date(),
    async close() {
      ssh.close();
      await Promise.allSettled([
        ...Object.values(vcenters).map((v) => v.close()),
        ...Object.values(zertos).map((z) => z.client.close()),
        authority.close(),
        ...publishers.map((p) => (p as { close?: () => Promise<void> }).close?.()),
      ]);
    },
  };
}
