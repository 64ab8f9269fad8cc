import { CronScheduleError, cronMatches, parseCronSchedule } from '../../hooks/audit/cron';
import { localFields } from '../../hooks/audit/local-time';
import { withGuest } from '../guard/guest';

/**
 * The audit's matcher must call a minute scheduled exactly when the guard would not call a run in it a
 * replay: each case runs the real guard (`check --schedule`) at that wall-clock minute under libfaketime.
 */
const CASES: [string, string][] = [
  ['*/15 3 * * *', '2026-11-21 03:45:00'],
  ['*/15 3 * * *', '2026-11-21 03:46:00'],
  ['0 3 * * sat', '2026-11-21 03:00:00'],
  ['0 3 * * 7', '2026-11-22 03:00:00'],
  ['0 3 * * 0', '2026-11-22 03:00:00'],
  ['0 3 1 * sun', '2026-11-22 03:00:00'],
  ['0 3 1 * mon', '2026-11-21 03:00:00'],
  ['0 3 22 nov *', '2026-11-22 03:00:00'],
  ['0 3 * Nov-Dec *', '2026-11-22 03:00:00'],
  ['0-10/5 1-4 * * *', '2026-11-21 04:10:00'],
  ['0-10/5 1-4 * * *', '2026-11-21 04:11:00'],
  ['5/20 * * * *', '2026-11-21 04:45:00'],
  ['5/20 * * * *', '2026-11-21 04:05:00'],
  ['5/20 * * * *', '2026-11-21 04:15:00'],
  ['1,2,30-31 * * * *', '2026-11-21 04:31:00'],
  ['* * */2 * *', '2026-11-21 04:31:00'],
  ['* * */2 * *', '2026-11-22 04:31:00'],
  ['* * 21 * 1', '2026-11-21 04:31:00'],
  ['* * 20 * 1', '2026-11-21 04:31:00'],
  ['* * * * 1-5', '2026-11-21 04:31:00'],
];

describe('the audit cron matcher', () => {
  it.each(CASES)('agrees with the guard on %s at %s', (schedule, time) =>
    withGuest('dash', async (guest) => {
      guest.activeAtRbx(1);
      await guest.run(['check', '--name', 'job', '--schedule', schedule], { command: ['faketime', time], env: { TZ: 'UTC' } });
      const guardSaysScheduled = guest.ledger()[0].decision === 'allow';
      expect(cronMatches(parseCronSchedule(schedule), localFields(Date.parse(`${time.replace(' ', 'T')}Z`), 'UTC'))).toBe(guardSaysScheduled);
    }));

  it.each([
    ['* * * *', 'expected 5 time fields, found 4'],
    ['60 * * * *', "minute field '60': '60' out of range 0-59"],
    ['* * * * mon-sun', "day-of-week field 'mon-sun': range mon-sun is reversed"],
    ['*/0 * * * *', "minute field '*/0': bad step"],
    ['1,,2 * * * *', "minute field '1,,2': empty element"],
    ['* * * jan/2/3 *', "month field 'jan/2/3': bad step"],
    ['* * * * jan', "day-of-week field 'jan': 'jan' out of range 0-7"],
  ])('refuses %s: %s', (schedule, message) => {
    expect(() => parseCronSchedule(schedule)).toThrow(new CronScheduleError(message));
  });
});
