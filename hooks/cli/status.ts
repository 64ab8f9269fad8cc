import { ExitCode, UsageError, parseOptions, type Command, type CommandContext } from './command';
import { LiveReader, type DnsReading, type Reading, type VpgReading } from './live';
import { describeState, loadProject, projectOptions, shown } from './project';
import { withRunStore } from './run-context';
import { describeUnreadable, readRuns, unfinished, type RunSummary, type UnreadableJournal } from './runs';
import type { LbServer } from '../drivers/lb';
import type { ActiveSiteRecord } from '../drivers/authority';

interface Status {
  readonly topology: string;
  readonly state: { readonly file: string; readonly failback_site: string; readonly enable_failback_pause_mode: boolean; readonly active_site: string };
  readonly sites: { readonly name: string; readonly role: string; readonly vms: Reading<Record<string, string>> }[];
  readonly vpgs: { readonly name: string; readonly reading: Reading<VpgReading> }[];
  readonly authority: Reading<{ readonly backend: string; readonly record: ActiveSiteRecord | null }>;
  readonly dns?: Reading<DnsReading>;
  readonly lb?: Reading<LbServer[]>;
  readonly runs: Reading<RunSummary[]>;
  /** Journals that cannot be read back, listed apart: they hide no other run. */
  readonly unreadableJournals: UnreadableJournal[];
}

function failed(status: Status): string[] {
  const readings: Reading<unknown>[] = [...status.sites.map((s) => s.vms), ...status.vpgs.map((v) => v.reading), status.authority, status.runs];
  if (status.dns) readings.push(status.dns);
  if (status.lb) readings.push(status.lb);
  return readings.flatMap((r) => (r.ok ? [] : [r.error]));
}

const err = (r: { ok: false; error: string }) => `  ERROR ${r.error}`;

function renderText(s: Status): string {
  const lines = [`pra status: topology ${s.topology}; ${describeState(s.state)} (${s.state.file})`, '', 'sites:'];
  for (const site of s.sites) {
    lines.push(`  ${site.name} (${site.role})`);
    if (!site.vms.ok) lines.push(`  ${err(site.vms)}`);
    else for (const [vm, power] of Object.entries(site.vms.value)) lines.push(`    ${vm.padEnd(28)} ${power}`);
  }
  lines.push('', 'vpgs:');
  for (const { name, reading } of s.vpgs) {
    if (!reading.ok) lines.push(`  ${name}`, `  ${err(reading)}`);
    else {
      const v = reading.value;
      const late = v.actualRpoSeconds > v.rpoTargetSeconds ? ' OVER TARGET' : '';
      lines.push(`  ${name.padEnd(28)} ${v.source} -> ${v.target}  ${v.status}/${v.subStatus}  RPO ${v.actualRpoSeconds} s (target ${v.rpoTargetSeconds} s${late})  [zerto ${v.zvm}]`);
      if (v.reIp !== 'ok') lines.push(`    re-IP ${v.reIp}${v.reIp.startsWith('differs') ? ': run pra vpg sync' : ''}`);
    }
  }
  lines.push('', 'authority:');
  if (!s.authority.ok) lines.push(err(s.authority));
  else {
    const r = s.authority.value.record;
    lines.push(`  ${s.authority.value.backend}: ${r ? `active=${r.active} epoch ${r.epoch} (by ${r.by} at ${r.at}: ${r.reason})` : 'no record yet'}`);
  }
  if (s.dns) {
    lines.push('', 'dns:');
    if (!s.dns.ok) lines.push(err(s.dns));
    else {
      const d = s.dns.value;
      lines.push(`  ${d.record}: ${d.ok ? 'every nameserver answers' : 'NOT every nameserver answers'} ${d.expected} (active site ${s.state.active_site})`);
      for (const ns of d.nameservers) lines.push(`    ${ns.nameserver.padEnd(26)} ${ns.error ? `ERROR ${ns.error}` : ns.addresses.map((ip, i) => `${ip} (${ns.sites[i]})`).join(', ') || '(no record)'}`);
    }
  }
  if (s.lb) {
    lines.push('', 'load balancer:');
    if (!s.lb.ok) lines.push(err(s.lb));
    else for (const server of s.lb.value) lines.push(`  ${server.site.padEnd(6)} ${server.server}: ${server.state}, weight ${server.weight}`);
  }
  lines.push('', 'runs in progress:');
  if (!s.runs.ok) lines.push(err(s.runs));
  else if (!s.runs.value.length) lines.push('  none');
  else for (const r of s.runs.value) lines.push(`  ${r.id}  ${r.state}  ${r.plan} by ${r.operator}${r.step ? `, at ${r.step}` : ''} (last event ${r.lastEventAt})`);
  if (s.unreadableJournals.length) lines.push('', 'unreadable journals:', ...describeUnreadable(s.unreadableJournals).map((l) => `  ${l}`));
  return `${lines.join('\n')}\n`;
}

async function collect(ctx: CommandContext, values: { topology?: string; state?: string; 'journal-dir'?: string }): Promise<Status> {
  const project = loadProject(ctx, values);
  const live = new LiveReader(project.topology, ctx);
  try {
    const [sites, vpgs, authority, dns, lb] = await Promise.all([
      Promise.all(project.topology.sites.map(async (site) => ({ name: site.name, role: site.role, vms: await live.powerStates(site.name) }))),
      live.vpgs(),
      live.authority(),
      live.dns(project.state.active_site),
      live.lb(),
    ]);
    let runs: Reading<RunSummary[]>;
    let unreadableJournals: UnreadableJournal[] = [];
    try {
      const listing = await withRunStore(ctx, { topology: project.topologyFile, 'journal-dir': values['journal-dir'] }, readRuns);
      runs = { ok: true, value: unfinished(listing.runs) };
      unreadableJournals = listing.unreadable;
    } catch (error) {
      runs = { ok: false, error: `runs: ${(error as Error).message}` };
    }
    return { topology: project.topology.name, state: { file: shown(ctx, project.stateFile), ...project.state }, sites, vpgs, authority, dns, lb, runs, unreadableJournals };
  } finally {
    await live.close();
  }
}

/** `pra status [--json]`: every system read independently; exit 3 when any of them did not answer, else 2 when a journal cannot be read. */
export const statusCommand: Command = {
  name: 'status',
  summary: 'sites, VM power, VPGs and RPO, authority and epoch, DNS on every nameserver, LB, runs in progress',
  usage: 'pra status [--json] [--topology FILE] [--state FILE] [--journal-dir DIR]',
  async run(ctx) {
    const { values, positionals } = parseOptions('status', ctx.argv, { ...projectOptions, json: { type: 'boolean' }, 'journal-dir': { type: 'string' } });
    if (positionals.length) throw new UsageError('status', `takes no arguments, got ${positionals.join(' ')}`);
    const status = await collect(ctx, values);
    const errors = failed(status);
    ctx.stdout.write(values.json ? `${JSON.stringify(status, null, 2)}\n` : renderText(status));
    if (errors.length) {
      ctx.stderr.write(`pra: status: ${errors.length} system(s) did not answer:\n${errors.map((e) => `  ${e}`).join('\n')}\n`);
    }
    if (status.unreadableJournals.length) {
      ctx.stderr.write(`pra: status: ${status.unreadableJournals.length} journal(s) cannot be read:\n${describeUnreadable(status.unreadableJournals).map((l) => `  ${l}`).join('\n')}\n`);
    }
    return errors.length ? ExitCode.externalFailure : status.unreadableJournals.length ? ExitCode.usage : ExitCode.ok;
  },
};
