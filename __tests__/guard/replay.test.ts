import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { Guest, SHELLS, finished, withGuest } from './guest';

/**
 * Cron catch-up replays (REFERENCE.md: Debian cron replays skipped jobs after a clock step, at the new wall
 * time). libfaketime puts the guard at a chosen wall-clock minute; TZ=UTC makes local time predictable.
 * 2026-11-21 is a Saturday, 2026-11-22 a Sunday.
 */
const at = (time: string) => ({ command: ['faketime', time], env: { TZ: 'UTC' } });

const runs = (guest: Guest): number => (existsSync(guest.path('ran')) ? readFileSync(guest.path('ran'), 'utf8').split('\n').length - 1 : 0);
const job = (guest: Guest, schedule: string) => ['run', '--name', 'nightly', '--schedule', schedule, '--', 'sh', '-c', `echo x >> ${guest.path('ran')}`];

describe.each(SHELLS)('replay detection under %s', (shell) => {
  it('denies a run outside its schedule minutes as a replay by default', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(3);
      await guest.run(job(guest, '0 3 * * *'), at('2026-11-21 03:17:05'));
      const [line] = guest.ledger();
      expect({ decision: line.decision, reason: line.reason, runs: runs(guest) }).toEqual({ decision: 'replay-deny', reason: 'replay', runs: 0 });
    }));

  it('runs a replay when replay_policy is allow, and marks it in the ledger', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(3, { replay_policy: 'allow' });
      await guest.run(job(guest, '0 3 * * *'), at('2026-11-21 03:17:05'));
      expect({ decision: guest.ledger()[0].decision, runs: runs(guest) }).toEqual({ decision: 'replay-allow', runs: 1 });
    }));

  it('takes replay_policy from guestinfo over the config file', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(3, { replay_policy: 'deny' });
      guest.guestinfo({ 'pra.guard.replay_policy': 'allow' });
      await guest.run(job(guest, '0 3 * * *'), at('2026-11-21 03:17:05'));
      expect(guest.ledger()[0].decision).toBe('replay-allow');
    }));

  it.each([
    ['*/15 3 * * *', '2026-11-21 03:45:00', 'allow'],
    ['0 3 * * sat', '2026-11-21 03:00:30', 'allow'],
    ['0 3 * * 7', '2026-11-22 03:00:30', 'allow'],
    ['0 3 1 * sun', '2026-11-22 03:00:30', 'allow'],
    ['0 3 22 nov *', '2026-11-22 03:00:30', 'allow'],
    ['0-10/5 1-4 * * *', '2026-11-21 04:10:45', 'allow'], // late in the slot's minute, with room for a slow start
    ['0 3 * * sun', '2026-11-21 03:00:30', 'replay-deny'],
    ['0 3 1 * mon', '2026-11-21 03:00:30', 'replay-deny'],
    ['0-10/5 1-4 * * *', '2026-11-21 04:11:00', 'replay-deny'],
  ])('judges a job scheduled %s that starts at %s: %s', (schedule, time, decision) =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(3);
      await guest.run(job(guest, schedule), at(time));
      expect({ decision: guest.ledger()[0].decision, runs: runs(guest) }).toEqual({ decision, runs: decision === 'allow' ? 1 : 0 });
    }));

  it('runs a job once when cron replays it four times in one minute', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(3);
      const burst = [1, 2, 3, 4].map(() => guest.run(job(guest, '* * * * *'), at('2026-11-21 03:05:01')));
      await Promise.all(burst);
      const decisions = guest.ledger().filter((l) => l.decision !== 'end').map((l) => `${l.decision}:${l.reason}`).sort();
      expect({ decisions, runs: runs(guest) }).toEqual({ decisions: ['allow:active', 'deny:same-minute', 'deny:same-minute', 'deny:same-minute'], runs: 1 });
    }));

  it('runs the job again in the next minute', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(3);
      await guest.run(job(guest, '* * * * *'), at('2026-11-21 03:05:01'));
      await guest.run(job(guest, '* * * * *'), at('2026-11-21 03:06:01'));
      expect(runs(guest)).toBe(2);
    }));

  it('refuses an unparsable --schedule with exit code 2 and runs nothing', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(3);
      const result = await finished(guest.start(job(guest, '61 * * * *')));
      expect({ code: result.code, runs: runs(guest), stderr: result.stderr }).toEqual({ code: 2, runs: 0, stderr: expect.stringContaining("minute field '61'") });
    }));
});

/**
 * Debian cron schedules in the system zone and hands a crontab's TZ= line to the job as plain environment
 * (REFERENCE.md, "Coordination and cron"; cron 3.0pl1's binary holds no TZ or CRON_TZ string). The guard must
 * judge the minute cron fired for, whatever TZ the job carries.
 */
describe.each(SHELLS)('the zone of the scheduled minute under %s', (shell) => {
  const instant = 1795230030; // 2026-11-21T03:00:30Z
  const { TZ: _ignored, ...systemEnv } = process.env;
  /** "M H" of `instant` in `zone` (undefined: the system zone, /etc/localtime). */
  const minuteIn = (zone?: string) => spawnSync('date', ['-d', `@${instant}`, '+%-M %-H'], { env: zone ? { ...systemEnv, TZ: zone } : systemEnv, encoding: 'utf8' }).stdout.trim();
  // A POSIX zone (no tzdata needed) 9 hours off the system zone's offset at that instant.
  const jobZone = spawnSync('date', ['-d', `@${instant}`, '+%z'], { env: systemEnv, encoding: 'utf8' }).stdout.trim() === '+0900' ? 'UTC0' : 'JST-9';
  const atInstantWithJobZone = { command: ['faketime', `@${instant}`], env: { TZ: jobZone } };

  it('allows an on-time run: the schedule matches in the system zone, the job has another TZ', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(3);
      await guest.run(job(guest, `${minuteIn()} * * *`), atInstantWithJobZone);
      expect({ decision: guest.ledger()[0].decision, runs: runs(guest) }).toEqual({ decision: 'allow', runs: 1 });
    }));

  it("denies as a replay a run whose schedule matches only in the job's TZ", () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(3);
      expect(minuteIn(jobZone)).not.toBe(minuteIn());
      await guest.run(job(guest, `${minuteIn(jobZone)} * * *`), atInstantWithJobZone);
      expect({ decision: guest.ledger()[0].decision, runs: runs(guest) }).toEqual({ decision: 'replay-deny', runs: 0 });
    }));
});
