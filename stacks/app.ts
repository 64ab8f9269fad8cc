import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, TerraformStack } from 'cdktf';
import { guardUserData } from '../constructs/guard-userdata';
import { applyPolicy } from '../constructs/policy/aspect';
import { ProtectionGroup } from '../constructs/protection-group';
import type { FailbackState } from '../topology/state';
import type { Topology } from '../topology/schema';
import { VPG_MANIFEST_FILE, type VpgManifest } from '../topology/vpg-spec';
import { ProtectionStack } from './protection-stack';
import { SiteStack, type UserDataSource } from './site-stack';
import { TrafficStack } from './traffic-stack';

export interface BuildOptions {
  /** @default - cdktf's choice: $CDKTF_OUTDIR (set by the cdktf CLI) or ./cdktf.out */
  readonly outdir?: string;
  /** @default - the cloud-init fragment that installs the in-guest cron guard, configured for the VM's site */
  readonly userData?: UserDataSource;
}

/** Stack ids are a contract (state file names, `cdktf deploy <stack>`): derived from site names, never order. */
export const StackId = {
  site: (site: string) => `site-${site}`,
  traffic: 'traffic',
  protection: 'protection',
} as const;

/** The guard's userdata is the same for every VM of a site: build it (script read, filled in) once per site. */
function guardUserDataBySite(): UserDataSource {
  const bySite = new Map<string, string>();
  return (vm, topology) => {
    if (!bySite.has(vm.site)) bySite.set(vm.site, guardUserData({ site: vm.site, guard: topology.guard }));
    return bySite.get(vm.site);
  };
}

/**
 * cdktf captures a full stack trace for every token it creates (cdktf/lib/tokens/private/stack-trace.js),
 * whatever the App's `stackTraces` option, and formatting them was the largest cost of construction at 2000
 * VMs (each VM's output references are tokens). While `work` runs, traces are captured unformatted: an
 * unresolvable-token error then lacks the token's creation stack, as construct metadata already does.
 * Errors thrown meanwhile keep their stack: V8 formats it when first read, after `work` returns.
 */
function withoutTokenStackTraces<T>(work: () => T): T {
  const previous = Error.prepareStackTrace;
  Error.prepareStackTrace = () => '';
  try {
    return work();
  } finally {
    Error.prepareStackTrace = previous;
  }
}

/** Builds the whole app for a topology and a failback state, policy checks attached, without synthesizing it. */
export function buildApp(topology: Topology, state: FailbackState, options: BuildOptions = {}): App {
  return withoutTokenStackTraces(() => constructApp(topology, state, options));
}

function constructApp(topology: Topology, state: FailbackState, options: BuildOptions): App {
  // Stack traces in construct metadata cost more than the rest of construction at 2000 VMs.
  const app = new App({ outdir: options.outdir, stackTraces: false });
  const props = { topology, state };
  const userData = options.userData ?? guardUserDataBySite();
  for (const site of topology.sites) new SiteStack(app, StackId.site(site.name), { ...props, site, userData });
  if (topology.traffic.dns) new TrafficStack(app, StackId.traffic, { ...props, dns: topology.traffic.dns });
  new ProtectionStack(app, StackId.protection, props);
  applyPolicy(app);
  return app;
}

/** Synthesizes into the app's outdir (policy checks run and fail the synth), plus the VPG manifest next to the stacks. */
export function synthesizeApp(topology: Topology, state: FailbackState, options: BuildOptions = {}): App {
  const app = buildApp(topology, state, options);
  withoutTokenStackTraces(() => app.synth());
  const manifest: VpgManifest = { topology: topology.name, vpgs: ProtectionGroup.allIn(app).map((g) => g.spec) };
  writeFileSync(join(app.outdir, VPG_MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return app;
}

/** Terraform JSON of one synthesized stack. */
export type StackJson = Record<string, unknown>;

/** Every stack's Terraform JSON by stack id, read back from the outdir `app` was synthesized into. */
export function readStacks(app: App): Record<string, StackJson> {
  const stacks: Record<string, StackJson> = {};
  for (const stack of app.node.children.filter(TerraformStack.isStack)) {
    const id = stack.node.id;
    stacks[id] = JSON.parse(readFileSync(join(app.outdir, 'stacks', id, 'cdk.tf.json'), 'utf8')) as StackJson;
  }
  return stacks;
}

/** A synthesis into a temporary directory, kept until `dispose`: its stacks, and its output to install elsewhere. */
export interface StagedSynthesis {
  readonly stacks: Record<string, StackJson>;
  /** The VPGs of the manifest written next to the stacks. */
  readonly vpgs: VpgManifest['vpgs'];
  /** Copies the whole output (stacks, cdktf manifest, VPG manifest) into `outdir`, as a synth there would write it. */
  installInto(outdir: string): void;
  /** Removes the temporary directory. */
  dispose(): void;
}

/** Synthesizes in a temporary directory (policy checks run and fail the synth, and then nothing is left behind). */
export function stageSynthesis(topology: Topology, state: FailbackState): StagedSynthesis {
  const staging = mkdtempSync(join(tmpdir(), 'pra-synth-'));
  const dispose = () => rmSync(staging, { recursive: true, force: true });
  try {
    const stacks = readStacks(synthesizeApp(topology, state, { outdir: staging }));
    const { vpgs } = JSON.parse(readFileSync(join(staging, VPG_MANIFEST_FILE), 'utf8')) as VpgManifest;
    return { stacks, vpgs, installInto: (outdir) => cpSync(staging, outdir, { recursive: true }), dispose };
  } catch (error) {
    dispose();
    throw error;
  }
}

/** Synthesizes in a temporary directory (removed afterwards): every stack's Terraform JSON by stack id, and the VPGs. */
export function synthesizeStacks(topology: Topology, state: FailbackState): Pick<StagedSynthesis, 'stacks' | 'vpgs'> {
  const staged = stageSynthesis(topology, state);
  staged.dispose();
  return { stacks: staged.stacks, vpgs: staged.vpgs };
}
