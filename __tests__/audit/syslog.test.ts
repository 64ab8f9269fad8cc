import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditFiles } from '../../hooks/audit/audit';
import { tempDirs } from '../helpers/tmp';

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

function syslog(lines: readonly string[]): string {
  const file = join(dirs.make('pra-audit-syslog-'), 'syslog');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const overlapsOf = (result: ReturnType<typeof auditFiles>) =>
  result.overlap.overlaps.map((o) => ({ job: o.job, sites: [o.a.site, o.b.site], start: new Date(o.start).toISOString(), ms: o.ms }));

describe('pra audit over cron syslog', () => {
  it('finds an overlap across midnight and the new year in RFC 3164 lines, in Europe/Paris time', () => {
    const sbg = syslog([
      'Dec 31 23:59:50 web-sbg CRON[100]: (root) CMD (/usr/local/bin/billing   --close)',
      'Jan  1 00:00:20 web-sbg CRON[100]: (root) END (/usr/local/bin/billing   --close)',
    ]);
    const rbx = syslog([
      'Jan  1 00:00:05 web-rbx CRON[200]: (root) CMD (/usr/local/bin/billing --close)',
      'Jan  1 00:00:10 web-rbx CRON[200]: pam_unix(cron:session): session closed for user root',
    ]);
    const result = auditFiles({ ledgers: [], syslogs: [`sbg=${sbg}`, `rbx=${rbx}`], timeZone: 'Europe/Paris', to: Date.parse('2027-01-01T12:00:00+01:00') });
    expect(overlapsOf(result)).toEqual([{ job: '/usr/local/bin/billing --close', sites: ['sbg', 'rbx'], start: '2026-12-31T23:00:05.000Z', ms: 5000 }]);
  });

  it('does not take the same wall time an hour apart for an overlap on the night of the fall-back (Europe/Paris)', () => {
    const sbg = syslog([
      'Oct 25 02:30:00 web-sbg CRON[100]: (root) CMD (sync)',
      'Oct 25 02:30:40 web-sbg CRON[100]: (root) END (sync)',
    ]);
    const rbx = syslog([
      'Oct 25 02:59:00 web-rbx CRON[199]: (root) CMD (other)',
      'Oct 25 02:30:10 web-rbx CRON[200]: (root) CMD (sync)',
      'Oct 25 02:30:20 web-rbx CRON[200]: (root) END (sync)',
    ]);
    const result = auditFiles({ ledgers: [], syslogs: [`sbg=${sbg}`, `rbx=${rbx}`], timeZone: 'Europe/Paris', to: Date.parse('2026-10-25T12:00:00Z') });
    expect(overlapsOf(result)).toEqual([]);
    expect(result.executions.filter((e) => e.job === 'sync').map((e) => new Date(e.start).toISOString())).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-25T01:30:10.000Z']);
  });

  it('finds an overlap that spans the fall-back in RFC 5424 lines with offsets', () => {
    const sbg = syslog([
      '<78>1 2026-10-25T02:59:50+02:00 web-sbg CRON 300 - - (root) CMD (backup)',
      '<78>1 2026-10-25T02:00:30+01:00 web-sbg CRON 300 - - (root) END (backup)',
    ]);
    const rbx = syslog(['<78>1 2026-10-25T02:00:10.250+01:00 web-rbx CRON 400 - [meta x="1"] (root) CMD (backup)', '<78>1 2026-10-25T02:00:11+01:00 web-rbx CRON 400 - - (root) END (backup)']);
    const result = auditFiles({ ledgers: [], syslogs: [`sbg=${sbg}`, `rbx=${rbx}`], timeZone: 'UTC' });
    expect(overlapsOf(result)).toEqual([{ job: 'backup', sites: ['sbg', 'rbx'], start: '2026-10-25T01:00:10.250Z', ms: 750 }]);
  });

  it('reads rsyslog RFC 3339 lines and takes each host for its own site by default', () => {
    const file = syslog([
      '2026-11-21T03:00:01.123456+01:00 web1 CRON[10]: (root) CMD (report)',
      '2026-11-21T03:00:02.000000+01:00 web2 CRON[20]: (root) CMD (report)',
    ]);
    const result = auditFiles({ ledgers: [], syslogs: [file], timeZone: 'UTC' });
    expect(overlapsOf(result)).toEqual([{ job: 'report', sites: ['web1', 'web2'], start: '2026-11-21T02:00:02.000Z', ms: 58_000 }]);
    expect(result.syslog.assumedEnds).toBe(2);
  });

  it('finds no overlap when each site ran the job in its own minutes', () => {
    const sbg = syslog(['Nov 21 03:00:01 web-sbg CRON[1]: (root) CMD (report)', 'Nov 21 03:01:01 web-sbg CRON[2]: (root) CMD (report)']);
    const rbx = syslog(['Nov 21 03:02:01 web-rbx CRON[3]: (root) CMD (report)']);
    const result = auditFiles({ ledgers: [], syslogs: [`sbg=${sbg}`, `rbx=${rbx}`], timeZone: 'Europe/Paris', to: Date.parse('2026-11-21T12:00:00Z') });
    expect(result.overlap.overlaps).toEqual([]);
  });

  it('leaves guarded commands to the ledger, skips other programs and reports lines that are not syslog', () => {
    const file = syslog([
      "Nov 21 03:00:01 web1 CRON[1]: (root) CMD (/usr/local/sbin/pra-guard run --name sync --schedule '* * * * *' -- /bin/sh -c 'sync')",
      'Nov 21 03:00:01 web1 systemd[1]: Started Session 3 of user root.',
      'Nov 21 03:00:02 web1 CRON[5]: (root) CMD (unterminated',
      'garbage without a header',
    ]);
    const result = auditFiles({ ledgers: [], syslogs: [file], timeZone: 'UTC', to: Date.parse('2026-11-21T12:00:00Z') });
    expect({ guarded: result.syslog.guarded, executions: result.executions.length }).toEqual({ guarded: 1, executions: 0 });
    expect(result.malformed.map((m) => m.where)).toEqual([`${file}:3`, `${file}:4`]);
  });
});
