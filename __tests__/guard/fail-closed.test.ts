import { chmodSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { Guest, SHELLS, withGuest } from './guest';

/**
 * Corners where the guard used to fail open: a configuration it cannot read as a file, an epoch of 0, an
 * epoch that goes back, an empty job name. Each must deny (or refuse the command), under dash and bash alike.
 */

const decisionOf = async (guest: Guest, options: Parameters<Guest['run']>[1] = {}) => {
  const result = await guest.run(['run', '--name', 'job', '--', 'sh', '-c', 'echo ran'], options);
  const line = guest.ledger().filter((l) => l.decision !== 'end').pop();
  return { code: result.code, stdout: result.stdout, decision: line?.decision, reason: line?.reason, epoch: line?.epoch };
};

/** Replaces /etc/pra/guard.conf by what `make` puts at its path. */
function replaceConfig(guest: Guest, make: (path: string) => void): void {
  const path = guest.path('etc/pra/guard.conf');
  rmSync(path, { force: true });
  make(path);
}

describe.each(SHELLS)('a guard.conf the guard cannot read as a file, under %s', (shell) => {
  it.each([
    ['a directory', (path: string) => mkdirSync(path)],
    ['a named pipe', (path: string) => spawnSync('mkfifo', [path])],
    ['a symbolic link to nothing', (path: string) => symlinkSync('/nonexistent/guard.conf', path)],
    ['a character device', (path: string) => symlinkSync('/dev/null', path)],
  ])('denies with config-error when it is %s', (_what, make) =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(4);
      replaceConfig(guest, make);
      expect(await decisionOf(guest)).toEqual({ code: 0, stdout: '', decision: 'deny', reason: 'config-error', epoch: 4 });
    }));

  it('denies with config-error when the job user cannot read it', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(4);
      // The job runs as nobody; the guest's directories let nobody in, the config does not.
      chmodSync(guest.root, 0o755);
      for (const dir of ['run/pra-guard', 'var/log/pra-guard']) {
        mkdirSync(guest.path(dir), { recursive: true });
        chmodSync(guest.path(dir), 0o1777);
      }
      chmodSync(guest.path('etc/pra/guard.conf'), 0o000);
      const asNobody = { command: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] };
      expect(await decisionOf(guest, asNobody)).toEqual({ code: 0, stdout: '', decision: 'deny', reason: 'config-error', epoch: 4 });
    }));

  it('says why in status', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(4);
      replaceConfig(guest, (path) => mkdirSync(path));
      const status = JSON.parse((await guest.run(['status', '--json'])).stdout);
      expect({ reason: status.reason, configError: status.configError }).toEqual({ reason: 'config-error', configError: `${guest.path('etc/pra/guard.conf')}: not a regular file` });
    }));
});

describe.each(SHELLS)('epochs under %s', (shell) => {
  it('denies an active-site file at epoch 0 (an epoch is a positive integer)', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(0);
      expect(await decisionOf(guest)).toMatchObject({ stdout: '', decision: 'deny', reason: 'file-malformed' });
    }));

  it('denies guestinfo at epoch 0', () =>
    withGuest(shell, async (guest) => {
      guest.atRbx({ sources: 'guestinfo' });
      guest.guestinfo({ 'pra.active_site': 'rbx', 'pra.epoch': '000' });
      expect(await decisionOf(guest)).toMatchObject({ stdout: '', decision: 'deny', reason: 'guestinfo-malformed' });
    }));

  it('remembers the highest epoch it saw and denies a lower one with its own reason', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(5);
      const first = await decisionOf(guest);
      guest.activeAtRbx(3);
      const second = await decisionOf(guest);
      expect({ first, second, memory: existsSync(guest.path('run/pra-guard/epoch/5')) }).toEqual({
        first: { code: 0, stdout: 'ran\n', decision: 'allow', reason: 'active', epoch: 5 },
        second: { code: 0, stdout: '', decision: 'deny', reason: 'epoch-regressed:3<5', epoch: 3 },
        memory: true,
      });
    }));

  it('remembers an epoch seen by a denied decision too (the fence), and by check', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(6);
      guest.activeSite('none', 7);
      const check = await guest.run(['check', '--name', 'job']);
      guest.activeSite('rbx', 6);
      expect({ check: check.code, after: await decisionOf(guest) }).toEqual({
        check: 1,
        after: { code: 0, stdout: '', decision: 'deny', reason: 'epoch-regressed:6<7', epoch: 6 },
      });
    }));

  it('allows the same or a higher epoch after remembering one', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(5);
      await decisionOf(guest);
      const same = await decisionOf(guest);
      guest.activeAtRbx(12);
      const higher = await decisionOf(guest);
      expect([same.reason, higher.reason]).toEqual(['active', 'active']);
    }));

  it('does not remember from status (it only reports)', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(9);
      await guest.run(['status']);
      guest.activeAtRbx(8);
      expect((await decisionOf(guest)).reason).toBe('active');
    }));

  it('denies an allowed run when it cannot write the epoch memory', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(5);
      mkdirSync(guest.path('run/pra-guard'), { recursive: true });
      guest.write('run/pra-guard/epoch', 'a file where the directory should be');
      expect(await decisionOf(guest)).toMatchObject({ stdout: '', decision: 'deny', reason: 'epoch-unwritable' });
    }));
});

describe.each(SHELLS)('job names under %s', (shell) => {
  it.each([
    ['run', ['run', '--name', '', '--', 'sh', '-c', 'echo ran']],
    ['run', ['run', '--name=', '--', 'sh', '-c', 'echo ran']],
    ['run', ['run', '--name', 'n'.repeat(101), '--', 'sh', '-c', 'echo ran']],
    ['check', ['check', '--name', '']],
    ['check', ['check', '--name', 'n'.repeat(101)]],
  ])('%s refuses an empty or over-long --name with exit code 2 and runs nothing', (_command, args) =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(5);
      const result = await guest.run(args);
      expect({ code: result.code, stdout: result.stdout, stderr: result.stderr, ledger: guest.ledger() }).toEqual({
        code: 2,
        stdout: '',
        stderr: expect.stringContaining('1 to 100'),
        ledger: [],
      });
    }));

  it('accepts a name of exactly 100 characters', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(5);
      const result = await guest.run(['run', '--name', 'n'.repeat(100), '--', 'sh', '-c', 'echo ran']);
      expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 0, stdout: 'ran\n' });
    }));
});

describe.each(SHELLS)('pra-guard check-config under %s (the rules pra validate applies too)', (shell) => {
  it('lists every problem with its line and exits 2', () =>
    withGuest(shell, async (guest) => {
      guest.write('etc/pra/guard.conf', 'sources=file,zk\netcd_endpoints=localhost:2379\n# ok\netcd_key=pra/active-site\nsyslog=no\n');
      const result = await guest.run(['check-config']);
      const file = guest.path('etc/pra/guard.conf');
      expect({ code: result.code, stderr: result.stderr }).toEqual({
        code: 2,
        stderr: [
          `pra-guard: check-config: ${file}:1: unknown source 'zk' (use guestinfo, file, etcd)`,
          `pra-guard: check-config: ${file}:2: etcd_endpoints must be a comma list of http(s)://host:port URLs`,
          `pra-guard: check-config: ${file}:4: etcd_key must start with /`,
          '',
        ].join('\n'),
      });
    }));

  it('accepts a valid file and refuses one that is not a regular file', () =>
    withGuest(shell, async (guest) => {
      guest.atRbx();
      const ok = await guest.run(['check-config']);
      const directory = await guest.run(['check-config', guest.root]);
      expect({ ok: ok.code, directory: directory.code, stderr: directory.stderr }).toEqual({ ok: 0, directory: 2, stderr: `pra-guard: check-config: ${guest.root}: not a regular file\n` });
    }));
});
