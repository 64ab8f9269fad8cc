import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError } from '../../topology';

/** What a verb gets: its arguments and where to write. Verbs never touch process.* directly (testable). */
export interface CommandContext {
  readonly argv: readonly string[];
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly isTTY: boolean;
}

/** One `pra` verb: a thin adapter that parses, calls the engine or a driver, and renders. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  run(ctx: CommandContext): Promise<number>;
}

/** Exit codes scripts can rely on (documented in the README). */
export const ExitCode = {
  ok: 0,
  conditionFailed: 1,
  usage: 2,
  externalFailure: 3,
  refusedForSafety: 4,
  interrupted: 130,
} as const;

/** A usage error: exit code 2, message names the argument and the fix. */
export class UsageError extends InputError {
  constructor(command: string, message: string) {
    super(`pra ${command}`, [`pra ${command}: ${message}`]);
  }
}

/** node:util parseArgs, with unknown options turned into a UsageError naming the verb. */
export function parseOptions<T extends ParseArgsConfig['options']>(command: string, argv: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(command, `${(e as Error).message.split('\n')[0]}; see pra ${command} --help`);
  }
}
