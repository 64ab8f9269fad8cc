import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'yaml';

/**
 * A stand-in for cloud-init on a simulated guest: runs a `#cloud-config` document (the `guestinfo.userdata`
 * the site stack synthesizes) the way cloud-init orders it (bootcmd, write_files, runcmd), for real, with
 * the guest's filesystem in a directory. The document runs in a private mount namespace where /etc,
 * /usr/local, /var and /run are overlays whose writable layer is that directory: the fragment's absolute
 * paths (/usr/local/sbin/pra-guard, /etc/pra/..., /run/pra-guard) land in the guest root and never on this
 * machine, while the machine's tools (sh, install, systemd-tmpfiles) stay readable.
 * Unlike cloud-init, which logs a failing command and goes on, the stand-in stops at the first failure:
 * a drill must fail loudly on a broken userdata.
 */
export class CloudInitError extends Error {}

type Command = string | readonly string[];
interface WriteFile {
  readonly path: string;
  readonly content?: string;
  readonly encoding?: string;
  readonly permissions?: string;
  readonly owner?: string;
}
interface CloudConfig {
  readonly bootcmd?: readonly Command[];
  readonly write_files?: readonly WriteFile[];
  readonly runcmd?: readonly Command[];
}

/** The modules this stand-in runs; any other one is refused rather than silently skipped. */
const MODULES = new Set(['bootcmd', 'write_files', 'runcmd']);
const OVERLAID = ['etc', 'usr/local', 'var', 'run'];

const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

function decode(file: WriteFile): Buffer {
  const content = file.content ?? '';
  switch (file.encoding ?? 'text/plain') {
    case 'text/plain':
      return Buffer.from(content, 'utf8');
    case 'b64':
    case 'base64':
      return Buffer.from(content, 'base64');
    case 'gz+b64':
    case 'gzip+base64':
    case 'gz+base64':
    case 'gzip+b64':
      return gunzipSync(Buffer.from(content, 'base64'));
    default:
      throw new CloudInitError(`write_files ${file.path}: encoding ${JSON.stringify(file.encoding)} is not one cloud-init knows (b64, gzip+base64, text/plain)`);
  }
}

function commandLine(command: Command, module: string): string {
  if (typeof command === 'string') return `sh -c ${quote(command)}`;
  if (Array.isArray(command) && command.every((w) => typeof w === 'string' || typeof w === 'number')) return command.map((w) => quote(String(w))).join(' ');
  throw new CloudInitError(`${module}: ${JSON.stringify(command)} is neither a string nor a list of words`);
}

/** The document as one shell script (after the overlays are mounted); file contents go through files of `stage`. */
function scriptOf(text: string, stage: string): string {
  if (!text.startsWith('#cloud-config\n')) throw new CloudInitError('is not a #cloud-config document (its first line must be #cloud-config)');
  let config: CloudConfig;
  try {
    config = (parse(text) ?? {}) as CloudConfig;
  } catch (error) {
    throw new CloudInitError(`is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const unknown = Object.keys(config).filter((key) => !MODULES.has(key));
  if (unknown.length) throw new CloudInitError(`uses ${unknown.join(', ')}, which the drill's cloud-init stand-in does not run (it runs ${[...MODULES].join(', ')})`);
  const lines = (config.bootcmd ?? []).map((c) => commandLine(c, 'bootcmd'));
  (config.write_files ?? []).forEach((file, i) => {
    if (typeof file.path !== 'string' || !file.path.startsWith('/')) throw new CloudInitError(`write_files[${i}]: path ${JSON.stringify(file.path)} is not absolute`);
    const staged = join(stage, `file-${i}`);
    writeFileSync(staged, decode(file));
    lines.push(`mkdir -p ${quote(dirname(file.path))}`, `cp ${quote(staged)} ${quote(file.path)}`, `chmod ${quote(file.permissions ?? '0644')} ${quote(file.path)}`);
  });
  lines.push(...(config.runcmd ?? []).map((c) => commandLine(c, 'runcmd')));
  return lines.join('\n');
}

/**
 * Runs `userData` for a guest whose filesystem is `root` (created when missing); `scratch` holds the
 * overlays' work directories and the staged files. Rejects with a CloudInitError carrying what failed.
 */
export async function runCloudConfig(userData: string, root: string, scratch: string): Promise<void> {
  mkdirSync(scratch, { recursive: true });
  const mounts = OVERLAID.map((dir) => {
    const [upper, work] = [join(root, dir), join(scratch, 'work', dir)];
    mkdirSync(upper, { recursive: true });
    mkdirSync(work, { recursive: true });
    return `mount -t overlay overlay -o ${quote(`lowerdir=/${dir},upperdir=${upper},workdir=${work}`)} /${dir}`;
  });
  const script = join(scratch, 'cloud-config.sh');
  writeFileSync(script, ['set -eu', ...mounts, 'set -x', scriptOf(userData, scratch), ''].join('\n'));
  // As root a mount namespace is enough; another user maps itself to root in a user namespace first.
  const user = process.getuid?.() === 0 ? [] : ['--user', '--map-root-user'];
  await new Promise<void>((resolve, reject) => {
    execFile('unshare', [...user, '--mount', '--propagation', 'private', 'sh', script], { timeout: 60_000 }, (error, _stdout, stderr) => {
      if (!error) return resolve();
      const trace = stderr.trim().split('\n').slice(-6).join('\n  ');
      reject(new CloudInitError(`failed (${error.code ?? error.signal}):\n  ${trace}`));
    });
  });
}
