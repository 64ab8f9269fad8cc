import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { Writable } from 'node:stream';
import { Testing, TerraformStack, type App } from 'cdktf';
import type { CommandContext } from '../../hooks/cli/command';
import { runCli } from '../../hooks/cli/main';
import { loadTopology, type FailbackState } from '../../topology';

export const REPO = join(__dirname, '..', '..');
export const EXAMPLE = join(REPO, 'examples', 'ovh-rbx-sbg.yaml');

export function exampleTopology() {
  return loadTopology(EXAMPLE);
}

/**
 * The four failback states the snapshots pin. A failback_site equal to the active site means no failback is
 * pending: the failover sets it to the new active site and arms pause mode; the failback's first step points
 * it at the site coming back (`pra diff --to-state failback_site=rbx` reviews exactly that change).
 */
export const STATES: Readonly<Record<'normal' | 'failedOver' | 'failbackPaused' | 'switched', FailbackState>> = {
  normal: { failback_site: 'rbx', enable_failback_pause_mode: false, active_site: 'rbx' },
  failedOver: { failback_site: 'sbg', enable_failback_pause_mode: true, active_site: 'sbg' },
  failbackPaused: { failback_site: 'rbx', enable_failback_pause_mode: true, active_site: 'sbg' },
  switched: { failback_site: 'rbx', enable_failback_pause_mode: true, active_site: 'rbx' },
};

export function stackOf(app: App, id: string): TerraformStack {
  const stack = app.node.findChild(id);
  if (!TerraformStack.isStack(stack)) throw new Error(`${id} is not a stack`);
  return stack;
}

/** `Testing.synth(stack, true)` (validations and policy run), parsed. */
export function synthJson(app: App, id: string): Record<string, any> {
  return JSON.parse(Testing.synth(stackOf(app, id), true));
}

/** Runs a `pra` verb in-process with captured output. */
export function pra(argv: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
  return captureCli(runCli, argv, options);
}

/** Runs a `pra` entry point (`runCli`, or one command's `run`) in-process with captured output. */
export async function captureCli(main: (ctx: CommandContext) => Promise<number>, argv: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _encoding, done) {
        append(String(chunk));
        done();
      },
    });
  const code = await main({
    argv,
    cwd: options.cwd,
    env: options.env ?? {},
    isTTY: false,
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
  });
  return { code, stdout, stderr };
}

/** The example as plain input, for tests that corrupt it (a fresh copy per call). */
export function exampleInput(): Record<string, any> {
  return parseYaml(readFileSync(EXAMPLE, 'utf8'));
}

/** Copies the example topology into `dir` at the default path, making `dir` a project directory. */
export function copyExample(dir: string): void {
  mkdirSync(join(dir, 'examples'));
  copyFileSync(EXAMPLE, join(dir, 'examples', 'ovh-rbx-sbg.yaml'));
}

/** The cloud-init text a synthesized VM's `guestinfo.userdata` stands for (a reference to a stack local, gzip+base64). */
export function userDataOf(stackJson: Record<string, any>, vmName: string): string | undefined {
  const reference = stackJson.resource.vsphere_virtual_machine[vmName].extra_config['guestinfo.userdata'] as string | undefined;
  if (reference === undefined) return undefined;
  const local = /^\$\{local\.([a-z0-9_]+)\}$/.exec(reference)?.[1];
  if (!local) throw new Error(`guestinfo.userdata of ${vmName} is not a local reference: ${reference.slice(0, 40)}`);
  return gunzipSync(Buffer.from(stackJson.locals[local], 'base64')).toString('utf8');
}
