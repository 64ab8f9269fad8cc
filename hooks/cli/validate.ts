import { ExitCode, UsageError, parseOptions, type Command } from './command';
import { describeState, loadProject, shown } from './project';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check a topology file and the failback state file (exit 2 listing every problem)',
  usage: 'pra validate [TOPOLOGY_FILE] [--state FILE]',
  async run(ctx) {
    const { values, positionals } = parseOptions('validate', ctx.argv, { state: { type: 'string' } });
    if (positionals.length > 1) throw new UsageError('validate', `takes one topology file, got also ${positionals.slice(1).join(' ')}`);
    const project = loadProject(ctx, { topology: positionals[0], state: values.state });
    const { topology } = project;
    ctx.stdout.write(`${shown(ctx, project.topologyFile)}: ok (topology ${topology.name}: ${topology.sites.length} sites, ${topology.vms.length} VMs, ${topology.vpgs.length} VPGs)\n`);
    const origin = project.stateFileExists ? 'ok' : 'absent, defaults apply';
    ctx.stdout.write(`${shown(ctx, project.stateFile)}: ${origin} (${describeState(project.state)})\n`);
    return ExitCode.ok;
  },
};
