import { hostname } from 'node:os';
import { parseLedgerLine } from '../../hooks/guard/ledger';
import { SHELLS, withGuest } from './guest';

/** The ledger is a contract: a later step computes double-execution windows from it (docs/guard.md). */

describe.each(SHELLS)('the guard ledger under %s', (shell) => {
  it('writes a decision line and an end line that share the execution id', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(42);
      const before = Date.now();
      await guest.run(['run', '--name', 'backup', '--', 'sh', '-c', 'sleep 0.2; exit 4']);
      const after = Date.now();
      const [start, end] = guest.ledger();
      expect(start).toMatchObject({ host: hostname(), site: 'rbx', job: 'backup', decision: 'allow', epoch: 42, reason: 'active', mode: 'run' });
      expect(end).toMatchObject({ id: start.id, pid: start.pid, job: 'backup', decision: 'end', epoch: 42, reason: 'exit', exit: 4 });
      expect(start.ts.getTime()).toBeGreaterThanOrEqual(before - 1);
      expect(end.ts.getTime()).toBeLessThanOrEqual(after + 1);
      expect(end.durationMs).toBe(end.ts.getTime() - start.ts.getTime());
    }));

  it('records the schedule of a cron job on both lines', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(42);
      guest.config({ sources: 'file', replay_policy: 'allow' });
      await guest.run(['run', '--name', 'backup', '--schedule', '*/5 * * * *', '--', 'true']);
      expect(guest.ledger().map((l) => l.schedule)).toEqual(['*/5 * * * *', '*/5 * * * *']);
    }));

  it('writes one line per denial, with the reason and no end line', () =>
    withGuest(shell, async (guest) => {
      guest.config({ sources: 'file' });
      guest.activeSite('rbx', 42);
      await guest.run(['run', '--name', 'backup', '--', 'true']);
      expect(guest.ledger()).toEqual([expect.objectContaining({ decision: 'deny', reason: 'site-unknown', site: undefined, job: 'backup' })]);
    }));

  it('separates fields with tabs, in the documented order', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(42);
      await guest.run(['run', '--name', 'backup', '--', 'true']);
      const keys = guest.ledgerText().split('\n').filter(Boolean).map((line) => line.split('\t').map((f) => f.slice(0, f.indexOf('='))).join(' '));
      expect(keys).toEqual(['ts host site job decision epoch reason pid id mode', 'ts host site job decision epoch reason pid id mode duration_ms exit job_pid']);
    }));

  it('keeps guarding when the ledger cannot be written, and says so on stderr', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(42);
      guest.config({ sources: 'file', ledger: '/proc/pra-guard-cannot-write/ledger.log' });
      const result = await guest.run(['run', '--', 'sh', '-c', 'echo ran']);
      expect({ code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({ code: 0, stdout: 'ran\n', stderr: expect.stringContaining('cannot append to ledger') });
    }));
});

describe('the ledger parser', () => {
  it('rejects a line whose timestamp has no milliseconds, naming file and line', () => {
    expect(() => parseLedgerLine('ts=2026-11-21T03:00:00Z\thost=h\tsite=rbx\tjob=j\tdecision=allow\tepoch=1\treason=active\tpid=1\tid=1-1\tmode=run', 'ledger.log:3')).toThrow(
      /ledger.log:3: ts="2026-11-21T03:00:00Z" is not a UTC timestamp with milliseconds/,
    );
  });

  it('rejects an end line without its exit code', () => {
    expect(() => parseLedgerLine('ts=2026-11-21T03:00:00.000Z\thost=h\tsite=rbx\tjob=j\tdecision=end\tepoch=1\treason=exit\tpid=1\tid=1-1\tmode=run\tduration_ms=5\tjob_pid=2')).toThrow(/field exit is missing/);
  });
});
