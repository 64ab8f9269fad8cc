import { describeState } from '../../topology/state';
import type { HclValue } from './hcl-expression';
import type { ResourceChange, SemanticDiff } from './semantic-diff';

const MAX_VALUE = 60;

function cell(value: HclValue | undefined): string {
  if (value === undefined) return '_(absent)_';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const short = text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
  return `\`${short.replace(/\|/g, '\\|').replace(/`/g, "'")}\``;
}

/** A pull-request comment: the variable changes, then per stack a table of attribute changes. */
export function renderMarkdown(diff: SemanticDiff, title: string): string {
  const lines = [`### ${title}`, '', `- current: \`${describeState(diff.from)}\``, `- proposed: \`${describeState(diff.to)}\``, ''];
  lines.push('#### Failback variables', '');
  if (diff.variables.length === 0) lines.push('No variable changes.', '');
  else {
    lines.push('| variable | current | proposed |', '|---|---|---|');
    for (const v of diff.variables) lines.push(`| \`${v.variable}\` | ${cell(v.from)} | ${cell(v.to)} |`);
    lines.push('');
  }
  const stacks = [...new Set(diff.resources.map((r) => r.stack))];
  lines.push('#### Resource changes', '');
  if (stacks.length === 0) {
    lines.push('No resource changes.', '');
    return lines.join('\n');
  }
  lines.push(`${diff.resources.length} resource(s) change in ${stacks.length} stack(s).`, '');
  for (const stack of stacks) {
    lines.push(`##### Stack \`${stack}\``, '', '| resource | attribute | current | proposed |', '|---|---|---|---|');
    for (const change of diff.resources.filter((r) => r.stack === stack)) lines.push(...rows(change));
    lines.push('');
  }
  return lines.join('\n');
}

function rows(change: ResourceChange): string[] {
  if (change.action !== 'update') return [`| \`${change.address}\` | _(${change.action})_ | | |`];
  return change.attributes.map((a) => `| \`${change.address}\` | \`${a.attribute}\` | ${cell(a.from)} | ${cell(a.to)} |`);
}

export function renderJson(diff: SemanticDiff): string {
  return `${JSON.stringify(diff, null, 2)}\n`;
}
