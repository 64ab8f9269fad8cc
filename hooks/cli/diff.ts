import { applyAssignments } from '../../topology';
import { renderJson, renderMarkdown, reviewStateChange } from '../review';
import { ExitCode, parseOptions, type Command } from './command';
import { loadProject, projectOptions } from './project';

/** `pra diff`: the plan review of a state change, as Markdown for a pull-request comment or as JSON. */
export const diffCommand: Command = {
  name: 'diff',
  summary: 'semantic diff of the synthesized stacks between the current and a proposed failback state',
  usage: 'pra diff [--to-state KEY=VALUE]... [KEY=VALUE...] [--json] [--topology FILE] [--state FILE]',
  async run(ctx) {
    const { values, positionals } = parseOptions('diff', ctx.argv, { ...projectOptions, json: { type: 'boolean' }, 'to-state': { type: 'string', multiple: true } });
    const project = loadProject(ctx, values);
    const assignments = [...(values['to-state'] ?? []), ...positionals];
    const proposed = applyAssignments(project.state, assignments, project.topology);
    const diff = reviewStateChange(project.topology, project.state, proposed);
    ctx.stdout.write(values.json ? renderJson(diff) : `${renderMarkdown(diff, `pra diff: ${project.topology.name}${assignments.length ? ` (${assignments.join(' ')})` : ''}`)}\n`);
    return ExitCode.ok;
  },
};
