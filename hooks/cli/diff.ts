import { applyAssignments } from '../../topology';
import { hasChanges, renderJson, renderMarkdown, reviewAgainstBase, reviewStateChange } from '../review';
import { ExitCode, parseOptions, type Command } from './command';
import { loadProject, projectOptions } from './project';

/**
 * `pra diff`: the plan review of a change, as Markdown for a pull-request comment or as JSON. Without
 * `--base`, the state file against a proposed state; with `--base REF`, the topology and state at a git
 * revision against the working tree (`--to-state` applies on top of the head). Exit 0: no change; 1: changes
 * shown (as diff(1) and `git diff --exit-code`); 2: bad input or unknown REF.
 */
export const diffCommand: Command = {
  name: 'diff',
  summary: 'semantic diff of the synthesized stacks: a git revision (--base) or the current state against the proposed one',
  usage: 'pra diff [--base REF] [--to-state KEY=VALUE]... [KEY=VALUE...] [--json] [--topology FILE] [--state FILE]   (exit 0 no change, 1 changes)',
  async run(ctx) {
    const options = { ...projectOptions, json: { type: 'boolean' }, base: { type: 'string' }, 'to-state': { type: 'string', multiple: true } } as const;
    const { values, positionals } = parseOptions('diff', ctx.argv, options);
    const project = loadProject(ctx, values);
    const assignments = [...(values['to-state'] ?? []), ...positionals];
    const proposed = applyAssignments(project.state, assignments, project.topology);
    const diff =
      values.base === undefined
        ? reviewStateChange(project.topology, project.state, proposed)
        : reviewAgainstBase({ cwd: ctx.cwd, ref: values.base, topologyFile: project.topologyFile, stateFile: project.stateFile, head: { topology: project.topology, state: proposed } });
    const compared = values.base === undefined ? '' : ` against ${values.base}`;
    const title = `pra diff${compared}: ${project.topology.name}${assignments.length ? ` (${assignments.join(' ')})` : ''}`;
    ctx.stdout.write(values.json ? renderJson(diff) : `${renderMarkdown(diff, title)}\n`);
    return hasChanges(diff) ? ExitCode.conditionFailed : ExitCode.ok;
  },
};
