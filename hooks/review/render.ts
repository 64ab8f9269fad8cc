import { describeState } from '../../topology/state';
import { criticalItems, summaryLine, type CriticalItem } from './critical';
import type { HclValue } from './hcl-expression';
import type { ResourceChange, SemanticDiff } from './semantic-diff';

const MAX_VALUE = 60;
/** More resources than this sharing one change are listed on one row (a 2000-VM change stays readable). */
const GROUP_FROM = 6;
const LISTED = 5;
/** Past this many lines, everything after the critical items is folded in a `<details>` block. */
const FOLD_AFTER = 40;

function cell(value: HclValue | undefined): string {
  if (value === undefined) return '_(absent)_';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const short = text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
  return `\`${short.replace(/\|/g, '\\|').replace(/`/g, "'")}\``;
}

function addresses(list: readonly string[]): string {
  const shown = list.slice(0, LISTED).map((a) => `\`${a}\``).join(', ');
  return list.length > LISTED ? `${shown} and ${list.length - LISTED} more (${list.length})` : shown;
}

/**
 * A pull-request comment: a one-line summary, what a reviewer must not miss (VM start-up and power keys,
 * destroyed resources, the DNS record's target), then the variables, VPGs, guard userdata and per stack the
 * resource changes, folded when long.
 */
export function renderMarkdown(diff: SemanticDiff, title: string): string {
  const lines = [`### ${title}`, '', `**${summaryLine(diff)}**`, ''];
  const base = diff.base;
  if (base?.unsynthesizable) lines.push(`- base: \`${base.ref}\` (${base.commit.slice(0, 12)}) does not synthesize: ${base.unsynthesizable}. The head is shown alone.`);
  else lines.push(`- ${base ? `base \`${base.ref}\` (${base.commit.slice(0, 12)})` : 'current'}: \`${describeState(diff.from)}\``);
  lines.push(`- ${base ? 'head' : 'proposed'}: \`${describeState(diff.to)}\``, '');
  lines.push(...criticalSection(criticalItems(diff)));
  const rest = [...variablesSection(diff), ...vpgSection(diff), ...userDataSection(diff), ...resourcesSection(diff)];
  if (rest.length > FOLD_AFTER) lines.push('<details><summary>Everything else that changes</summary>', '', ...rest, '</details>', '');
  else lines.push(...rest);
  return lines.join('\n');
}

function criticalSection(items: readonly CriticalItem[]): string[] {
  const lines = ['#### Must not miss', ''];
  if (items.length === 0) return [...lines, 'No VM start-up or power key changes, nothing destroyed, DNS target unchanged.', ''];
  const power = items.filter((i) => i.kind === 'power');
  if (power.length) lines.push('VMs whose start-up mode or power-relevant keys change:', '', ...changeTable(power), '');
  const destroyed = items.filter((i) => i.kind === 'destroy');
  if (destroyed.length) lines.push(`Destroyed: ${addresses(destroyed.map((i) => `${i.stack}: ${i.address}`))}`, '');
  for (const target of items.filter((i) => i.kind === 'dns-target')) lines.push(`DNS record target (\`${target.address}\`): ${cell(target.from)} -> ${cell(target.to)}`, '');
  return lines;
}

/** One row's content: an attribute change, or a whole resource's create/delete (no attribute). */
interface Row {
  readonly address: string;
  readonly attribute?: string;
  readonly from?: HclValue;
  readonly to?: HclValue;
  readonly action?: string;
}

/** Rows of `| resource | attribute | current | proposed |`, identical changes on many resources on one row. */
function changeTable(changes: readonly Row[]): string[] {
  const groups = new Map<string, { key: Row; addresses: string[] }>();
  for (const change of changes) {
    const key = JSON.stringify([change.action, change.attribute, change.from, change.to]);
    const group = groups.get(key) ?? { key: change, addresses: [] };
    group.addresses.push(change.address);
    groups.set(key, group);
  }
  const rows = ['| resource | attribute | current | proposed |', '|---|---|---|---|'];
  for (const { key, addresses: list } of groups.values()) {
    const attribute = key.attribute === undefined ? `_(${key.action})_` : `\`${key.attribute}\``;
    const tail = key.attribute === undefined ? '| |' : `${cell(key.from)} | ${cell(key.to)} |`;
    if (list.length >= GROUP_FROM) rows.push(`| ${addresses(list)} | ${attribute} | ${tail}`);
    else for (const address of list) rows.push(`| \`${address}\` | ${attribute} | ${tail}`);
  }
  return rows;
}

function variablesSection(diff: SemanticDiff): string[] {
  const lines = ['#### Failback variables', ''];
  if (diff.variables.length === 0) return [...lines, 'No variable changes.', ''];
  lines.push('| variable | current | proposed |', '|---|---|---|');
  for (const v of diff.variables) lines.push(`| \`${v.variable}\` | ${cell(v.from)} | ${cell(v.to)} |`);
  return [...lines, ''];
}

function vpgSection(diff: SemanticDiff): string[] {
  if (diff.vpgs.length === 0) return [];
  const lines = ['#### VPGs (protection manifest)', '', '| VPG | change |', '|---|---|'];
  for (const vpg of diff.vpgs) {
    const what = [
      vpg.action === 'update' ? '' : `_(${vpg.action})_`,
      vpg.vmsAdded.length ? `VMs added: ${vpg.vmsAdded.join(', ')}` : '',
      vpg.vmsRemoved.length ? `VMs removed: ${vpg.vmsRemoved.join(', ')}` : '',
      ...(vpg.action === 'update' ? vpg.settings.map((s) => `\`${s.setting}\`: ${cell(s.from)} -> ${cell(s.to)}`) : []),
    ].filter(Boolean);
    lines.push(`| \`${vpg.name}\` | ${what.join('; ')} |`);
  }
  return [...lines, ''];
}

function userDataSection(diff: SemanticDiff): string[] {
  if (diff.userData.length === 0) return [];
  const lines = ['#### Guard userdata (cloud-init, decoded)', ''];
  for (const change of diff.userData) lines.push(`Stack \`${change.stack}\`:`, '', '```diff', ...change.lines, '```', '');
  return lines;
}

function resourcesSection(diff: SemanticDiff): string[] {
  const stacks = [...new Set(diff.resources.map((r) => r.stack))];
  const lines = ['#### Resource changes', ''];
  if (stacks.length === 0) return [...lines, 'No resource changes.', ''];
  lines.push(`${diff.resources.length} resource(s) change in ${stacks.length} stack(s).`, '');
  for (const stack of stacks) {
    const changes = diff.resources.filter((r) => r.stack === stack).flatMap(attributeRows);
    lines.push(`##### Stack \`${stack}\``, '', ...changeTable(changes), '');
  }
  return lines;
}

function attributeRows(change: ResourceChange): Row[] {
  if (change.action !== 'update') return [{ address: change.address, action: change.action }];
  return change.attributes.map((a) => ({ address: change.address, ...a }));
}

/** The diff as JSON, with the critical items and the summary line a CI job can post as a check title. */
export function renderJson(diff: SemanticDiff): string {
  return `${JSON.stringify({ summary: summaryLine(diff), ...diff, critical: criticalItems(diff) }, null, 2)}\n`;
}
