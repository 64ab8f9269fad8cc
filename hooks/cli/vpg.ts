import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { failoverIps, InputError, loadTopology, readSource, VPG_MANIFEST_FILE, vpgSpecs, type Topology, type VpgManifest, type VpgSpec } from '../../topology';
import { SecretUnavailableError } from '../drivers/common/secret';
import { zertoSiteName } from '../drivers/zerto/config';
import type { ZertoDriver } from '../drivers/zerto/driver';
import { zertoDriverForSite } from '../drivers/zerto/from-topology';
import { VpgReconciler, type VpgPlan } from '../drivers/zerto/reconcile';
import { ExitCode, parseOptions, UsageError, type Command, type CommandContext } from './command';

const USAGE = 'pra vpg sync [--dry-run] [--topology FILE] [--json]';

/** The declared VPGs: the synthesized manifest when there is one, else computed from the topology. */
function declaredVpgs(ctx: CommandContext, topology: Topology, topologyFile: string): { source: string; specs: readonly VpgSpec[] } {
  const manifestFile = join(ctx.cwd, 'cdktf.out', VPG_MANIFEST_FILE);
  if (!existsSync(manifestFile)) return { source: topologyFile, specs: vpgSpecs(topology) };
  let manifest: VpgManifest;
  try {
    manifest = JSON.parse(readSource(manifestFile)) as VpgManifest;
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(manifestFile, [`${manifestFile}: not valid JSON: run cdktf synth again`]);
  }
  if (!Array.isArray(manifest.vpgs)) throw new InputError(manifestFile, [`${manifestFile}: no vpgs list: run cdktf synth again`]);
  if (manifest.topology !== topology.name) {
    throw new InputError(manifestFile, [`${manifestFile}: synthesized for topology ${JSON.stringify(manifest.topology)}, not ${topology.name}: run cdktf synth again or pass the matching --topology`]);
  }
  return { source: manifestFile, specs: manifest.vpgs };
}

/**
 * Each VPG is managed through its recovery site's ZVM: the one that runs a Failover when the protected
 * site is gone, and the one Zerto documents for recovery operations.
 */
function zvmFor(spec: VpgSpec, topology: Topology, topologyFile: string, ctx: CommandContext, open: Map<string, ZertoDriver>): ZertoDriver {
  const existing = open.get(spec.targetSite);
  if (existing) return existing;
  const site = topology.sites.find((s) => s.name === spec.targetSite);
  if (!site) throw new InputError(topologyFile, [`VPG ${spec.name}: target site ${spec.targetSite} is not declared in ${topologyFile}`]);
  try {
    const driver = zertoDriverForSite(site, ctx.env);
    open.set(site.name, driver);
    return driver;
  } catch (e) {
    if (e instanceof SecretUnavailableError) throw new InputError(topologyFile, [`${topologyFile}: sites[${site.name}].zerto.password: ${e.message}`]);
    throw e;
  }
}

function render(plan: VpgPlan, zvm: string, dryRun: boolean): string[] {
  const verb = { create: dryRun ? 'would create' : 'created', edit: dryRun ? 'would edit' : 'edited', unchanged: 'unchanged', skip: 'left alone' }[plan.action];
  const head = `- ${plan.name} (zerto ${zvm}): ${verb}${plan.action === 'skip' ? `: ${plan.reason}` : ''}`;
  const changes = plan.action === 'create' || plan.action === 'edit' ? plan.changes.map((c) => `    ${c.field}: ${c.from} -> ${c.to}`) : [];
  return [head, ...changes];
}

export const vpgCommand: Command = {
  name: 'vpg',
  summary: 'reconcile the Zerto VPGs with the protection manifest (create, edit; --dry-run shows only)',
  usage: USAGE,
  async run(ctx) {
    const { values, positionals } = parseOptions('vpg', ctx.argv, {
      'dry-run': { type: 'boolean', default: false },
      topology: { type: 'string', default: 'topology.yaml' },
      json: { type: 'boolean', default: false },
    });
    if (positionals.length !== 1 || positionals[0] !== 'sync') throw new UsageError('vpg', `expected the subcommand sync: ${USAGE}`);
    const dryRun = values['dry-run'] === true;
    const topologyFile = resolve(ctx.cwd, values.topology as string);
    const topology = loadTopology(topologyFile);
    const { source, specs } = declaredVpgs(ctx, topology, topologyFile);
    const drivers = new Map<string, ZertoDriver>();
    const siteNames = Object.fromEntries(topology.sites.map((site) => [site.name, zertoSiteName(site)]));
    const results: { plan: VpgPlan; zvm: string }[] = [];
    try {
      for (const spec of specs) {
        const driver = zvmFor(spec, topology, topologyFile, ctx, drivers);
        const reconciler = new VpgReconciler(driver, { siteNames });
        const reIp = failoverIps(topology, spec.name);
        const plan = await reconciler.plan(spec, reIp);
        if (!dryRun) await reconciler.apply(spec, plan, reIp);
        results.push({ plan, zvm: spec.targetSite });
      }
    } finally {
      await Promise.all([...drivers.values()].map((d) => d.client.close().catch(() => undefined)));
    }
    if (values.json) {
      ctx.stdout.write(`${JSON.stringify({ dryRun, source, vpgs: results.map(({ plan, zvm }) => ({ zvm, ...plan })) }, null, 2)}\n`);
      return ExitCode.ok;
    }
    const count = (action: VpgPlan['action']) => results.filter((r) => r.plan.action === action).length;
    ctx.stdout.write(`pra vpg sync${dryRun ? ' (dry run)' : ''}: ${specs.length} VPGs declared in ${source}\n`);
    for (const { plan, zvm } of results) ctx.stdout.write(`${render(plan, zvm, dryRun).join('\n')}\n`);
    ctx.stdout.write(`${dryRun ? 'would create' : 'created'} ${count('create')}, ${dryRun ? 'would edit' : 'edited'} ${count('edit')}, unchanged ${count('unchanged')}, left alone ${count('skip')}\n`);
    return ExitCode.ok;
  },
};
