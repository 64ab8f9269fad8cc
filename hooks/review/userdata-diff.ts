import { gunzipSync } from 'node:zlib';
import type { StackJson } from '../../stacks/app';

/** What changed in the cloud-init user data (the guard installer) of one stack, decoded, as diff lines. */
export interface UserDataChange {
  readonly stack: string;
  /** Unified-diff body lines (`-` current, `+` proposed, ` ` context), hunks separated by `@@`. */
  readonly lines: readonly string[];
}

const USERDATA = 'guestinfo.userdata';
const LOCAL_REFERENCE = /^\$\{local\.([A-Za-z0-9_-]+)\}$/;

/**
 * The distinct decoded user data texts of a stack's VMs. ProtectedVm stores them gzip+base64 in stack locals
 * that `extra_config["guestinfo.userdata"]` references (constructs/protected-vm.ts); an inline value is
 * decoded the same way.
 */
function userDataTexts(stack: StackJson | undefined): string[] {
  const vms = ((stack?.resource as Record<string, Record<string, { extra_config?: Record<string, string> }>> | undefined)?.vsphere_virtual_machine ?? {});
  const locals = (stack?.locals ?? {}) as Record<string, string>;
  const encoded = new Set<string>();
  for (const vm of Object.values(vms)) {
    const value = vm.extra_config?.[USERDATA];
    if (value === undefined) continue;
    const local = LOCAL_REFERENCE.exec(value)?.[1];
    encoded.add(local === undefined ? value : (locals[local] ?? value));
  }
  return [...encoded].map((text) => expandCloudConfig(gunzipSync(Buffer.from(text, 'base64')).toString('utf8'))).sort();
}

/**
 * The cloud-config with every `encoding: b64` file content written out (guard.conf, the guard script), so a
 * review reads `replay_policy=deny -> allow` rather than two base64 blobs.
 */
export function expandCloudConfig(text: string): string {
  const out: string[] = [];
  let base64Next = false;
  for (const line of text.split('\n')) {
    const content = /^(\s*)content: ([A-Za-z0-9+/=]+)$/.exec(line);
    if (base64Next && content) {
      out.push(`${content[1]}content: (decoded from b64)`);
      for (const decoded of Buffer.from(content[2], 'base64').toString('utf8').replace(/\n$/, '').split('\n')) out.push(`${content[1]}  | ${decoded}`);
      base64Next = false;
      continue;
    }
    if (/^\s*-\s/.test(line)) base64Next = false; // a new write_files item
    if (/^\s*encoding: b64$/.test(line)) base64Next = true;
    out.push(line);
  }
  return out.join('\n');
}

export function userDataChanges(before: Readonly<Record<string, StackJson>>, after: Readonly<Record<string, StackJson>>, stacks: readonly string[]): UserDataChange[] {
  const changes: UserDataChange[] = [];
  for (const stack of stacks) {
    const [a, b] = [userDataTexts(before[stack]), userDataTexts(after[stack])];
    if (a.join('\0') === b.join('\0')) continue;
    changes.push({ stack, lines: lineDiff(a.join('\n').split('\n'), b.join('\n').split('\n')) });
  }
  return changes;
}

const CONTEXT = 2;
/** Past this many cells the middle is shown as all removed then all added rather than aligned. */
const MAX_TABLE = 4_000_000;

/** A unified diff body of two line lists: common prefix and suffix trimmed, then the longest common subsequence. */
export function lineDiff(a: readonly string[], b: readonly string[]): string[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) (endA--, endB--);
  const [midA, midB] = [a.slice(start, endA), b.slice(start, endB)];
  const edits = midA.length * midB.length > MAX_TABLE ? [...midA.map((l) => `-${l}`), ...midB.map((l) => `+${l}`)] : alignedEdits(midA, midB);
  const all = [...a.slice(0, start).map((l) => ` ${l}`), ...edits, ...a.slice(endA).map((l) => ` ${l}`)];
  return hunks(all);
}

function alignedEdits(a: readonly string[], b: readonly string[]): string[] {
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..]
  const lcs = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out: string[] = [];
  let [i, j] = [0, 0];
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) (out.push(` ${a[i]}`), i++, j++);
    else if (i < a.length && (j === b.length || lcs[i + 1][j] >= lcs[i][j + 1])) out.push(`-${a[i++]}`);
    else out.push(`+${b[j++]}`);
  }
  return out;
}

/** Keeps CONTEXT unchanged lines around each change; `@@` marks skipped lines. */
function hunks(lines: readonly string[]): string[] {
  const keep = lines.map(() => false);
  lines.forEach((line, i) => {
    if (line[0] === ' ') return;
    for (let k = Math.max(0, i - CONTEXT); k <= Math.min(lines.length - 1, i + CONTEXT); k++) keep[k] = true;
  });
  const out: string[] = [];
  lines.forEach((line, i) => {
    if (keep[i]) out.push(line);
    else if (i > 0 && keep[i - 1]) out.push('@@');
  });
  if (!keep[0]) out.unshift('@@');
  return out;
}
