import { existsSync } from 'node:fs';
import { eventually } from '../support/eventually';
import { SHELLS, finished, withGuest } from './guest';

/** `pra-guard run` and `check`: what a job sees, exit codes, --no-overlap, signals. */

describe.each(SHELLS)('pra-guard run under %s', (shell) => {
  it('runs an allowed job with PRA_SITE and PRA_EPOCH and returns its exit code', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(7);
      const result = await guest.run(['run', '--name', 'env', '--', 'sh', '-c', 'echo "$PRA_SITE $PRA_EPOCH"; exit 3']);
      expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 3, stdout: 'rbx 7\n' });
    }));

  it('gives the job its standard input', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(7);
      const result = await guest.run(['run', '--', 'cat'], { stdin: 'rows from cron %\n' });
      expect(result.stdout).toBe('rows from cron %\n');
    }));

  it('does not run a denied job and exits 0 so that cron sends no mail', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(7);
      guest.activeSite('sbg', 8);
      const result = await guest.run(['run', '--', 'sh', '-c', 'echo ran']);
      expect({ code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({ code: 0, stdout: '', stderr: '' });
    }));

  it('exits with denied_exit_code when one is configured', () =>
    withGuest(shell, async (guest) => {
      guest.atRbx({ denied_exit_code: 75 });
      guest.activeSite('sbg', 8);
      expect((await guest.run(['run', '--', 'true'])).code).toBe(75);
    }));

  it('takes denied_exit_code from guestinfo over the config file', () =>
    withGuest(shell, async (guest) => {
      guest.atRbx({ denied_exit_code: 75 });
      guest.activeSite('sbg', 8);
      guest.guestinfo({ 'pra.guard.denied_exit_code': 76 });
      expect((await guest.run(['run', '--', 'true'])).code).toBe(76);
    }));

  it('names a job after its command when --name is not given', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(7);
      await guest.run(['run', '--', '/usr/bin/env', 'A=b c', 'true']);
      expect(guest.ledger()[0].job).toBe('usr_bin_env_A_b_c_true');
    }));

  it('refuses a run without a command with exit code 2', () =>
    withGuest(shell, async (guest) => {
      const result = await guest.run(['run', '--name', 'x']);
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 2, stderr: expect.stringContaining('no command after --') });
    }));

  it('refuses a second copy of a --no-overlap job while the first runs', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(7);
      const release = guest.path('release');
      const first = guest.start(['run', '--name', 'long', '--no-overlap', '--', 'sh', '-c', `while [ ! -e ${release} ]; do sleep 0.05; done`]);
      const firstDone = finished(first);
      await eventually('the first copy is in flight', () => guest.ledger().some((l) => l.decision === 'allow'));
      const second = await guest.run(['run', '--name', 'long', '--no-overlap', '--', 'true']);
      guest.write('release', '');
      expect((await firstDone).code).toBe(0);
      const third = await guest.run(['run', '--name', 'long', '--no-overlap', '--', 'true']);
      expect({ second: second.code, third: third.code }).toEqual({ second: 0, third: 0 });
      expect(guest.ledger().filter((l) => l.decision !== 'end').map((l) => `${l.decision}:${l.reason}`)).toEqual(['allow:active', 'deny:overlap', 'allow:active']);
    }));

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
    ['SIGHUP', 129],
  ] as const)('on %s stops the job, removes its in-flight record and exits %i', (signal, exitCode) =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(7);
      const stopped = guest.path('stopped');
      const started = guest.path('started');
      const guard = guest.start(['run', '--name', 'long', '--', 'sh', '-c', `trap 'echo stopped > ${stopped}; exit 9' TERM HUP; : > ${started}; while :; do sleep 0.05; done`]);
      const done = finished(guard);
      await eventually('the job has set its traps', () => existsSync(started));
      guard.kill(signal);
      const result = await done;
      const end = guest.ledger().find((l) => l.decision === 'end')!;
      expect({ code: result.code, stopped: existsSync(stopped), inflight: guest.inflight(), exit: end.exit, reason: end.reason }).toEqual({
        code: exitCode,
        stopped: true,
        inflight: [],
        exit: 9,
        reason: 'signal',
      });
    }));

  it('removes its in-flight record when the job ends', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(7);
      await guest.run(['run', '--', 'true']);
      expect(guest.inflight()).toEqual([]);
    }));
});

describe.each(SHELLS)('pra-guard check under %s (systemd ExecCondition)', (shell) => {
  it('exits 0 when allowed, without running anything', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(7);
      const result = await guest.run(['check', '--name', 'backup.service']);
      expect({ code: result.code, inflight: guest.inflight(), mode: guest.ledger()[0].mode }).toEqual({ code: 0, inflight: [], mode: 'check' });
    }));

  it('exits 1 when denied, which systemd treats as a skip, not a failure', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(7);
      guest.activeSite('none', 9);
      expect((await guest.run(['check', '--name', 'backup.service'])).code).toBe(1);
    }));

  it('exits 1 when the site is unknown', () =>
    withGuest(shell, async (guest) => {
      guest.config({ sources: 'file' });
      guest.activeSite('rbx', 9);
      expect((await guest.run(['check'])).code).toBe(1);
    }));
});

describe.each(SHELLS)('guestinfo reads under %s', (shell) => {
  const sameMinute = { command: ['faketime', '2026-11-21 03:00:10'], env: { TZ: 'UTC' } };

  it('reads the active site and epoch on every run, even when the deploy-time keys come from the cache', () =>
    withGuest(shell, async (guest) => {
      guest.config({ sources: 'guestinfo' });
      guest.guestinfo({ 'pra.site': 'rbx', 'pra.active_site': 'rbx', 'pra.epoch': 7 });
      await guest.run(['run', '--name', 'j', '--', 'true'], sameMinute);
      guest.guestinfo({ 'pra.site': 'rbx', 'pra.active_site': 'none', 'pra.epoch': 8 });
      await guest.run(['run', '--name', 'j', '--', 'true'], sameMinute);
      expect(guest.ledger().filter((l) => l.decision !== 'end').map((l) => `${l.decision}:${l.reason}`)).toEqual(['allow:active', 'deny:active-elsewhere:guestinfo=none@8']);
    }));

  it('reads guestinfo.pra.site on every run: the engine writes it into a recovered VM while it is suspended (H11)', () =>
    withGuest(shell, async (guest) => {
      // Recovered from SBG's disks: the file says sbg and so does the active site at the checkpoint; the VMX has no site yet.
      guest.config({ sources: 'file' });
      guest.site('sbg');
      guest.activeSite('sbg', 1);
      guest.guestinfo({ 'pra.guard.replay_policy': 'deny' });
      await guest.run(['run', '--name', 'j', '--', 'true'], sameMinute);
      guest.guestinfo({ 'pra.guard.replay_policy': 'deny', 'pra.site': 'rbx' }); // the engine's identity write, same minute
      await guest.run(['run', '--name', 'j', '--', 'true'], sameMinute);
      expect(guest.ledger().filter((l) => l.decision !== 'end').map((l) => `${l.decision}:${l.reason}`)).toEqual(['allow:active', 'deny:site-conflict:guestinfo=rbx,file=sbg']);
    }));

  it('keeps applying the guestinfo overrides it read earlier in the minute', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(7);
      guest.guestinfo({ 'pra.guard.sources': 'file,guestinfo', 'pra.active_site': 'rbx', 'pra.epoch': 7 });
      await guest.run(['run', '--name', 'j', '--', 'true'], sameMinute);
      guest.guestinfo({ 'pra.guard.sources': 'file,guestinfo', 'pra.active_site': 'sbg', 'pra.epoch': 7 });
      await guest.run(['run', '--name', 'j', '--', 'true'], sameMinute);
      expect(guest.ledger().filter((l) => l.decision !== 'end').map((l) => `${l.decision}:${l.reason}`)).toEqual(['allow:active', 'deny:active-elsewhere:guestinfo=sbg@7']);
    }));
});

describe.each(SHELLS)('registration under %s', (shell) => {
  it('denies a job it cannot register for drain', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(7);
      const result = await guest.run(['run', '--', 'sh', '-c', 'echo ran'], { env: { PRA_GUARD_RUN: '/proc/pra-guard-cannot-create' } });
      expect({ stdout: result.stdout, line: guest.ledger()[0] }).toEqual({ stdout: '', line: expect.objectContaining({ decision: 'deny', reason: 'inflight-unwritable' }) });
    }));
});
