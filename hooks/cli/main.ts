import { InputError } from '../../topology';
import { RunLockHeldError } from '../drivers/authority';
import { RunLockLostError } from '../drivers/authority/etcd-run-log';
import { DriverError } from '../drivers/common/errors';
import { RunRefusedError } from '../engine/runner';
import { ExitCode, type Command, type CommandContext } from './command';
import { verbs } from './commands';

async function help(ctx: CommandContext): Promise<number> {
  const commands = await Promise.all(verbs.map((v) => v.load()));
  ctx.stdout.write('usage: pra <command> [options]\n\ncommands:\n');
  for (const c of commands) ctx.stdout.write(`  ${c.name.padEnd(10)} ${c.summary}\n`);
  ctx.stdout.write('\nrun pra <command> --help for its options\n');
  return ExitCode.ok;
}

/** Maps an error to one clear line on stderr and an exit code; a stack trace only with --debug. */
function reportError(ctx: CommandContext, verb: string, error: unknown, debug: boolean): number {
  if (error instanceof InputError) {
    ctx.stderr.write(`${error.lines.join('\n')}\n`);
    return ExitCode.usage;
  }
  if (error instanceof RunLockHeldError || error instanceof RunLockLostError || error instanceof RunRefusedError) {
    ctx.stderr.write(`pra: ${verb}: refused: ${error.message}\n`);
    return ExitCode.refusedForSafety;
  }
  if (error instanceof DriverError) {
    ctx.stderr.write(`pra: ${verb}: ${error.message}\n`);
    if (debug && error.detail) ctx.stderr.write(`${error.detail}\n`);
    return ExitCode.externalFailure;
  }
  const e = error as Error;
  ctx.stderr.write(`pra: ${verb}: ${e.message}\n`);
  if (debug && e.stack) ctx.stderr.write(`${e.stack}\n`);
  return ExitCode.externalFailure;
}

export async function runCli(ctx: CommandContext): Promise<number> {
  const [verb, ...rest] = ctx.argv;
  if (verb === undefined || verb === '--help' || verb === '-h' || verb === 'help') return help(ctx);
  const entry = verbs.find((v) => v.name === verb);
  if (!entry) {
    ctx.stderr.write(`pra: unknown command ${JSON.stringify(verb)}; run pra --help\n`);
    return ExitCode.usage;
  }
  const command: Command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    ctx.stdout.write(`usage: ${command.usage}\n\n${command.summary}\n`);
    return ExitCode.ok;
  }
  const debug = rest.includes('--debug');
  try {
    return await command.run({ ...ctx, argv: rest.filter((a) => a !== '--debug') });
  } catch (error) {
    return reportError(ctx, verb, error, debug);
  }
}

/** Entry point of the `pra` binary. */
export function main(): void {
  const ctx = { argv: process.argv.slice(2), stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), isTTY: Boolean(process.stdout.isTTY) };
  runCli(ctx).then((code) => {
    process.exitCode = code;
  });
}

if (require.main === module) main();
