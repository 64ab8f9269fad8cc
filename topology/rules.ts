import type { Problem } from './problems';
import type { Topology } from './schema';
import { inSubnet } from './ip';
import { parseCronSchedule } from '../hooks/audit/cron';
import { guardConfigProblems } from './guard-config';

/**
 * Rules that relate fields to each other. Each returns every problem it finds; the loader reports them all
 * at once so an operator fixes a file in one pass.
 */
type Rule = (t: Topology) => Problem[];

function duplicates<T>(items: readonly T[], key: (item: T) => string): number[] {
  const seen = new Map<string, number>();
  const dups: number[] = [];
  items.forEach((item, i) => {
    const k = key(item);
    if (seen.has(k)) dups.push(i);
    else seen.set(k, i);
  });
  return dups;
}

const sitesAreDistinct: Rule = (t) => {
  const problems: Problem[] = [];
  for (const i of duplicates(t.sites, (s) => s.name)) problems.push({ path: ['sites', i, 'name'], message: 'is already used by another site: give each site its own name' });
  if (t.sites.length === 2 && t.sites[0].role === t.sites[1].role) {
    problems.push({ path: ['sites', 1, 'role'], message: `must differ from sites[0].role: one site is primary, the other standby` });
  }
  t.sites.forEach((s, i) => {
    if (!s.subnet.split('/')[0].split('.').every((o) => Number(o) <= 255)) problems.push({ path: ['sites', i, 'subnet'], message: 'has an octet above 255: write a valid IPv4 subnet' });
    else if (!inSubnet(s.gateway, s.subnet)) problems.push({ path: ['sites', i, 'gateway'], message: `must be inside the site's subnet ${s.subnet}` });
  });
  return problems;
};

const vmsBelongToSites: Rule = (t) => {
  const problems: Problem[] = [];
  const sites = new Map(t.sites.map((s) => [s.name, s]));
  for (const i of duplicates(t.vms, (v) => v.name.toLowerCase())) problems.push({ path: ['vms', i, 'name'], message: 'is already used by another VM (names are compared case-insensitively): rename one' });
  for (const i of duplicates(t.vms, (v) => `${v.site}/${v.ip}`)) problems.push({ path: ['vms', i, 'ip'], message: 'is already used by another VM of the same site: give each VM its own address' });
  t.vms.forEach((vm, i) => {
    const site = sites.get(vm.site);
    if (!site) problems.push({ path: ['vms', i, 'site'], message: `must name a declared site: ${[...sites.keys()].join(' | ')}` });
    else if (!inSubnet(vm.ip, site.subnet)) problems.push({ path: ['vms', i, 'ip'], message: `must be inside site ${site.name}'s subnet ${site.subnet}` });
  });
  return problems;
};

const protectedVmsHavePeers: Rule = (t) => {
  const problems: Problem[] = [];
  const byName = new Map(t.vms.map((v) => [v.name, v]));
  t.vms.forEach((vm, i) => {
    if (vm.peer === undefined) {
      if (vm.protected) problems.push({ path: ['vms', i, 'peer'], message: 'is required for a protected VM: name its replica on the other site, or set protected: false' });
      return;
    }
    const peer = byName.get(vm.peer);
    if (!peer) problems.push({ path: ['vms', i, 'peer'], message: 'must name a declared VM (the replica on the other site)' });
    else if (peer.site === vm.site) problems.push({ path: ['vms', i, 'peer'], message: `must be on the other site, but ${peer.name} is on ${peer.site} too` });
    else if (peer.peer !== undefined && peer.peer !== vm.name) problems.push({ path: ['vms', i, 'peer'], message: `must be mutual, but ${peer.name} names ${peer.peer} as its peer` });
    else if (peer.role !== vm.role) problems.push({ path: ['vms', i, 'peer'], message: `must have the same role, but ${peer.name} is ${peer.role} and this VM is ${vm.role}` });
  });
  return problems;
};

const vpgsProtectTheirSourceSite: Rule = (t) => {
  const problems: Problem[] = [];
  const siteNames = new Set(t.sites.map((s) => s.name));
  const byName = new Map(t.vms.map((v) => [v.name, v]));
  for (const i of duplicates(t.vpgs, (g) => g.name)) problems.push({ path: ['vpgs', i, 'name'], message: 'is already used by another VPG: rename one' });
  const groupOf = new Map<string, string>();
  t.vpgs.forEach((vpg, i) => {
    if (!siteNames.has(vpg.source)) problems.push({ path: ['vpgs', i, 'source'], message: `must name a declared site: ${[...siteNames].join(' | ')}` });
    if (!siteNames.has(vpg.target)) problems.push({ path: ['vpgs', i, 'target'], message: `must name a declared site: ${[...siteNames].join(' | ')}` });
    if (vpg.source === vpg.target) problems.push({ path: ['vpgs', i, 'target'], message: 'must differ from source: a VPG replicates to the other site' });
    vpg.vms.forEach((name, j) => {
      const vm = byName.get(name);
      if (!vm) problems.push({ path: ['vpgs', i, 'vms', j], message: 'must name a declared VM' });
      else if (vm.site !== vpg.source) problems.push({ path: ['vpgs', i, 'vms', j], message: `must be a VM of the source site ${vpg.source}, but it is on ${vm.site}` });
      else if (!vm.protected) problems.push({ path: ['vpgs', i, 'vms', j], message: 'is marked protected: false: remove it from the VPG or protect it' });
      else if (groupOf.has(name)) problems.push({ path: ['vpgs', i, 'vms', j], message: `is already protected by ${groupOf.get(name)}: a VM belongs to one VPG` });
      else groupOf.set(name, vpg.name);
    });
  });
  t.vms.forEach((vm, i) => {
    if (vm.protected && !groupOf.has(vm.name) && byName.get(vm.name) === vm) {
      problems.push({ path: ['vms', i, 'name'], message: `is protected but in no VPG: add it to a VPG whose source is ${vm.site}, or set protected: false` });
    }
  });
  return problems;
};

const trafficNamesBothSites: Rule = (t) => {
  const lb = t.traffic.lb;
  if (!lb) return [];
  const problems: Problem[] = [];
  const declared: string[] = Object.keys(lb.servers);
  for (const site of t.sites) {
    if (!declared.includes(site.name)) problems.push({ path: ['traffic', 'lb', 'servers'], message: `must map site ${site.name} to its backend server` });
  }
  for (const name of declared) {
    if (!t.sites.some((s) => s.name === name)) problems.push({ path: ['traffic', 'lb', 'servers', name], message: 'is not a declared site: remove it or fix the site name' });
  }
  return problems;
};

const checksNameExistingThings: Rule = (t) => {
  const problems: Problem[] = [];
  const vmNames = new Set(t.vms.map((v) => v.name));
  t.checks.http.forEach((c, i) => {
    if (c.vm !== undefined && !vmNames.has(c.vm)) problems.push({ path: ['checks', 'http', i, 'vm'], message: 'must name a declared VM' });
  });
  t.checks.mysql.forEach((c, i) => {
    for (const site of t.sites) {
      if (!t.vms.some((v) => v.site === site.name && v.role === c.role)) problems.push({ path: ['checks', 'mysql', i, 'role'], message: `must be the role of a VM on every site, but site ${site.name} has none` });
    }
  });
  return problems;
};

const guardSourcesAreConfigured: Rule = (t) =>
  t.guard.sources.includes('etcd') && !t.guard.etcd ? [{ path: ['guard', 'etcd'], message: 'is required when guard.sources lists etcd: add { endpoints: [...] }' }] : [];

/** Jobs belong to a role some VM has, once per name, on a schedule cron (and the guard) can parse. */
const jobsRunOnDeclaredRoles: Rule = (t) => {
  const problems: Problem[] = [];
  const roles = new Set(t.vms.map((v) => v.role));
  for (const [role, jobs] of Object.entries(t.jobs)) {
    if (!roles.has(role)) problems.push({ path: ['jobs', role], message: `is not the role of any VM: use one of ${[...roles].join(' | ')}` });
    for (const i of duplicates(jobs, (j) => j.name)) problems.push({ path: ['jobs', role, i, 'name'], message: 'is already used by another job of this role: rename one' });
    jobs.forEach((job, i) => {
      try {
        parseCronSchedule(job.schedule);
      } catch (error) {
        problems.push({ path: ['jobs', role, i, 'schedule'], message: `is not a cron schedule (${(error as Error).message}): write five fields such as */5 * * * *` });
      }
    });
  }
  return problems;
};
/** The guard's own configuration rules, once the section has the shape the renderer needs. */
const guardAcceptsItsConfig: Rule = (t) => (guardSourcesAreConfigured(t).length ? [] : guardConfigProblems(t));

export const topologyRules: readonly Rule[] = [
  sitesAreDistinct,
  vmsBelongToSites,
  protectedVmsHavePeers,
  vpgsProtectTheirSourceSite,
  trafficNamesBothSites,
  checksNameExistingThings,
  guardSourcesAreConfigured,
  jobsRunOnDeclaredRoles,
  guardAcceptsItsConfig,
];
