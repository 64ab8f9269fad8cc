import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FailbackState, Topology } from '../../topology';
import { StackId } from '../../stacks/app';
import { ExitCode, UsageError, parseOptions, type Command, type CommandContext } from './command';
import { LiveReader } from './live';
import { loadProject, projectOptions } from './project';
import { withRunStore } from './run-context';
import { plannedVmCreates } from '../review/vm-creates';
import { runsInProgress, type RunSummary } from './runs';

/** Runs `cdktf ARGS` in `cwd` and resolves with its exit code. Injectable: tests check the command line. */
export type CdktfRunner = (args: readonly string[], options: { readonly cwd: string; readonly env: NodeJS.ProcessEnv }) => Promise<number>;

/** The project's own cdktf-cli through npx, output straight to the terminal (it prompts unless --auto-approve). */
const npxCdktf: CdktfRunner = (args, { cwd, env }) =>
  new Promise((resolve, reject) => {
    const child = spawn('npx', ['cdktf', ...args], { cwd, env: { ...env, CHECKPOINT_DISABLE: '1', DISABLE_VERSION_CHECK: 'true' }, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? ExitCode.interrupted : ExitCode.externalFailure)));
  });

/** A VM a deploy must not touch now, and why. */
interface PausedVm {
  readonly vm: string;
  readonly why: string;
}

function siteStacks(topology: Topology): Map<string, string> {
  return new Map(topology.sites.map((s) => [StackId.site(s.name), s.name]));
}

/** The stacks the arguments name (cdktf's `*` wildcard included); an unknown name is a usage error. */
function selectStacks(topology: Topology, requested: readonly string[]): string[] {
  const known = [...siteStacks(topology).keys(), StackId.traffic, StackId.protection];
  return [
    ...new Set(
      requested.flatMap((pattern) => {
        const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
        const matched = known.filter((id) => re.test(id));
        if (!matched.length) throw new UsageError('deploy', `no stack matches ${JSON.stringify(pattern)}; stacks: ${known.join(', ')}`);
        return matched;
      }),
    ),
  ];
}

/** True where the failback state makes a site's protected VMs start suspended (the pause window of a failback). */
function declaredSuspended(state: FailbackState, site: string): boolean {
  return state.enable_failback_pause_mode && state.failback_site === site && state.active_site !== site;
}

/**
 * The VMs of `sites` inside the pause window: suspended in vCenter, or declared suspended by the failback
 * state while a run is in progress. A vCenter that cannot be read is an error: its VMs may be suspended.
 */
async function pausedVms(ctx: CommandContext, topology: Topology, state: FailbackState, sites: readonly string[], runs: readonly RunSummary[]): Promise<{ paused: PausedVm[]; unreadable: string[] }> {
  const live = new LiveReader(topology, ctx);
  try {
    const paused: PausedVm[] = [];
    const unreadable: string[] = [];
    for (const site of sites) {
      const power = await live.powerStates(site);
      if (!power.ok) unreadable.push(power.error);
      else for (const [vm, s] of Object.entries(power.value)) if (s === 'suspended') paused.push({ vm, why: `suspended in vCenter ${site}` });
      if (runs.length && declaredSuspended(state, site)) {
        for (const vm of topology.vms.filter((v) => v.site === site && v.protected)) {
          if (!paused.some((p) => p.vm === vm.name)) paused.push({ vm: vm.name, why: `startup_mode suspended while run ${runs[0].id} is ${runs[0].state}` });
        }
      }
    }
    return { paused, unreadable };
  } finally {
    await live.close();
  }
}

/** `--plan-json STACK=FILE` values, each naming a site stack that is deployed. */
function planFiles(ctx: CommandContext, topology: Topology, values: readonly string[], deployed: readonly string[]) {
  const sites = siteStacks(topology);
  return values.map((value) => {
    const [stack, file] = [value.slice(0, value.indexOf('=')), value.slice(value.indexOf('=') + 1)];
    const site = sites.get(stack);
    if (!value.includes('=') || !file) throw new UsageError('deploy', `--plan-json ${JSON.stringify(value)}: expected STACK=FILE, e.g. site-rbx=plan-rbx.json`);
    if (!site) throw new UsageError('deploy', `--plan-json ${stack}: not a site stack; site stacks: ${[...sites.keys()].join(', ')}`);
    if (!deployed.includes(stack)) throw new UsageError('deploy', `--plan-json ${stack}: that stack is not deployed by this command`);
    return { stack, site, creates: plannedVmCreates(resolve(ctx.cwd, file)) };
  });
}

/**
 * The VMs a site stack's plan would clone although vCenter already runs that VM at that site: after a Zerto
 * Move or Failover the recovered VMs are new objects (hazard H12) while the stack's state still names the old
 * ones. Zerto names a recovered VM like the protected one (its topology peer, on the other site), the seeds'
 * naming keeps the site's own name: a VM present under either name is the one the plan would duplicate.
 */
async function duplicateCreates(ctx: CommandContext, topology: Topology, plans: ReturnType<typeof planFiles>): Promise<{ duplicates: string[]; unreadable: string[] }> {
  const peerOf = new Map(topology.vms.map((vm) => [vm.name, vm.peer]));
  const live = new LiveReader(topology, ctx);
  try {
    const duplicates: string[] = [];
    const unreadable: string[] = [];
    for (const plan of plans) {
      const creates = plan.creates.map((c) => ({ ...c, names: [c.vm, ...(peerOf.get(c.vm) ? [peerOf.get(c.vm)!] : [])] }));
      if (!creates.length) continue;
      const states = await live.powerStates(plan.site, creates.flatMap((c) => c.names));
      if (!states.ok) {
        unreadable.push(states.error);
        continue;
      }
      const site = topology.sites.find((s) => s.name === plan.site)!;
      const chdir = `-chdir=cdktf.out/stacks/${plan.stack}`;
      for (const c of creates) {
        const present = c.names.find((name) => states.value[name] !== 'absent');
        if (!present) continue;
        duplicates.push(
          `  ${c.vm}: ${plan.stack} plans to create ${c.address}, but vCenter ${plan.site} already has ${present === c.vm ? 'a VM of that name' : `its recovered peer ${present}`} (${states.value[present]})\n` +
            `    bring the state in line first: terraform ${chdir} state rm '${c.address}' && terraform ${chdir} import '${c.address}' '/${site.vcenter.datacenter}/vm/${present}'`,
        );
      }
    }
    return { duplicates, unreadable };
  } finally {
    await live.close();
  }
}

/**
 * `pra deploy [STACK...] [--force] [--auto-approve] [-- cdktf args]`: `cdktf deploy`, refused while a VM of a
 * deployed stack is inside the pause window, since the vSphere provider powers on a suspended VM after any
 * reconfigure (hazard H8).
 */
export function deployCommandWith(cdktf: CdktfRunner): Command {
  return {
    name: 'deploy',
    summary: 'cdktf deploy, refused (exit 4) while a VM of a deployed stack is inside the pause window, unless --force',
    usage:
      "pra deploy [STACK...] [--force] [--auto-approve] [--plan-json STACK=FILE]... [--topology FILE] [--state FILE] [--journal-dir DIR] [-- CDKTF_ARGS...]   (no STACK: '*', every stack; FILE: terraform show -json of the stack's plan)",
    async run(ctx) {
      const split = ctx.argv.indexOf('--');
      const own = split < 0 ? ctx.argv : ctx.argv.slice(0, split);
      const passed = split < 0 ? [] : ctx.argv.slice(split + 1);
      const { values, positionals } = parseOptions('deploy', own, {
        ...projectOptions,
        force: { type: 'boolean' },
        'auto-approve': { type: 'boolean' },
        'journal-dir': { type: 'string' },
        'plan-json': { type: 'string', multiple: true },
      });
      if (!existsSync(join(ctx.cwd, 'cdktf.json'))) throw new UsageError('deploy', `no cdktf.json in ${ctx.cwd}: run pra deploy from the project directory`);
      const project = loadProject(ctx, values);
      const requested = positionals.length ? positionals : ['*'];
      const stacks = selectStacks(project.topology, requested);
      const sites = stacks.flatMap((id) => siteStacks(project.topology).get(id) ?? []);
      const plans = planFiles(ctx, project.topology, values['plan-json'] ?? [], stacks);
      const runs = await withRunStore(ctx, { topology: project.topologyFile, 'journal-dir': values['journal-dir'] }, runsInProgress);
      const { paused, unreadable } = await pausedVms(ctx, project.topology, project.state, sites, runs);
      if (!values.force && unreadable.length) {
        ctx.stderr.write(`pra: deploy: cannot tell which VMs are suspended: ${unreadable.join('; ')}\n  fix access to vCenter, or pass --force if you know no VM of these stacks is suspended\n`);
        return ExitCode.externalFailure;
      }
      if (paused.length) {
        const list = paused.map((p) => `  ${p.vm}: ${p.why}`).join('\n');
        if (!values.force) {
          ctx.stderr.write(
            `pra: deploy: refused: ${paused.length} VM(s) of the deployed stacks are inside the pause window:\n${list}\n` +
              '  the vSphere provider would power them on after any reconfigure (hazard H8), and their crons would start.\n' +
              '  finish the run (pra resume) or roll it back (pra rollback) first; --force deploys anyway\n',
          );
          return ExitCode.refusedForSafety;
        }
        ctx.stderr.write(`pra: deploy: --force: deploying although these VMs are inside the pause window:\n${list}\n`);
      }
      const { duplicates, unreadable: unchecked } = await duplicateCreates(ctx, project.topology, plans);
      if (unchecked.length) {
        ctx.stderr.write(`pra: deploy: cannot check the plans against vCenter: ${unchecked.join('; ')}\n  fix access to vCenter and run again\n`);
        return ExitCode.externalFailure;
      }
      if (duplicates.length) {
        ctx.stderr.write(
          `pra: deploy: refused: the plan would clone ${duplicates.length} VM(s) that already exist by name (hazard H12, Zerto recovered them as new objects):\n${duplicates.join('\n')}\n` +
            '  see docs/infrastructure.md, "After a recovery: the Terraform state"\n',
        );
        return ExitCode.refusedForSafety;
      }
      return cdktf(['deploy', ...requested, ...(values['auto-approve'] ? ['--auto-approve'] : []), ...passed], { cwd: ctx.cwd, env: ctx.env });
    },
  };
}

export const deployCommand = deployCommandWith(npxCdktf);
