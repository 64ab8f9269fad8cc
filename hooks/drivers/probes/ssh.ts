import { TimeoutError } from '../common/errors';
import { withSshSession, type SshSessions, type SshTarget } from '../common/ssh';
import { monotonicClock, timed, type Clock, type ProbeResult } from './result';

export interface SshCommandProbe {
  readonly target: SshTarget;
  /** A shell command line, e.g. `pra-guard drain --timeout 300` or `docker compose -f /srv/app/compose.yml down`. */
  readonly command: string;
  /** @default 60000 */
  readonly timeoutMs?: number;
  /** @default 0 */
  readonly expectExitCode?: number;
}

export interface SshCommandProbeResult extends ProbeResult {
  /** `null` when the command did not end with an exit code (killed by a signal, timed out, never started). */
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

const KEEP_CHARS = 4000;

/**
 * Runs a command on a guest and captures exit code, stdout and stderr; ok when the exit code is the expected
 * one. Over a fresh connection unless `sessions` is a pool's.
 */
export function probeSshCommand(probe: SshCommandProbe, clock: Clock = monotonicClock, sessions: SshSessions = withSshSession): Promise<SshCommandProbeResult> {
  const expected = probe.expectExitCode ?? 0;
  const target = `ssh ${probe.target.user}@${probe.target.host}`;
  return timed<Omit<SshCommandProbeResult, 'latencyMs'>>(
    clock,
    async () => {
      const result = await sessions(probe.target, (session) => session.exec(probe.command, { timeoutMs: probe.timeoutMs ?? 60000 }));
      const ended = result.exitCode !== null ? `exit ${result.exitCode}` : `killed by ${result.signal ?? 'a signal'}`;
      const ok = result.exitCode === expected;
      return {
        ok,
        detail: `${target}: ${ended}${ok ? '' : `, expected exit ${expected}`}${!ok && result.stderr ? `: ${firstLine(result.stderr)}` : ''}`,
        exitCode: result.exitCode,
        timedOut: false,
        stdout: result.stdout.slice(-KEEP_CHARS),
        stderr: result.stderr.slice(-KEEP_CHARS),
      };
    },
    (error) => ({ ok: false, detail: error.message, exitCode: null, timedOut: error instanceof TimeoutError, stdout: '', stderr: '' }),
  );
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0].slice(0, 200);
}
