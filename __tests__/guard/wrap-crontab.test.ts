import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import { GUARD, Guest, SHELLS, finished, withGuest } from './guest';

/** `pra-guard wrap-crontab`: every job goes through the guard; everything else stays as written. */
const WRAP = (guest: Guest) => ['wrap-crontab', '--guard', GUARD, '--output', guest.path('out')];
const guarded = (name: string, schedule: string | undefined, command: string) =>
  `${GUARD} run --name ${name}${schedule ? ` --schedule '${schedule}'` : ''} -- "\${SHELL:-/bin/sh}" -c ${command}`;

describe.each(SHELLS)('pra-guard wrap-crontab under %s', (shell) => {
  it('wraps every job of a user crontab and keeps comments, settings and blank lines', () =>
    withGuest(shell, async (guest) => {
      guest.write('in', '# m h dom mon dow command\nMAILTO=ops@example.com\n PATH = /usr/bin:/bin\n\n*/5 * * * *\t/usr/local/bin/sync.sh --fast >> /var/log/sync.log 2>&1\n');
      const result = await guest.run([...WRAP(guest), guest.path('in')]);
      expect({ code: result.code, out: readFileSync(guest.path('out'), 'utf8') }).toEqual({
        code: 0,
        out: `# m h dom mon dow command\nMAILTO=ops@example.com\n PATH = /usr/bin:/bin\n\n*/5 * * * *\t${guarded('sync.sh-2859583193', '*/5 * * * *', "'/usr/local/bin/sync.sh --fast >> /var/log/sync.log 2>&1'")}\n`,
      });
    }));

  it('guards a job whose line ends with blanks (the command is never left outside the guard)', () =>
    withGuest(shell, async (guest) => {
      guest.write('in', '0 0 * * * /usr/local/bin/purge --old  \t \n');
      const result = await guest.run([...WRAP(guest), guest.path('in')]);
      const out = readFileSync(guest.path('out'), 'utf8');
      expect(result.code).toBe(0);
      expect(out.replace(/--name \S+ /, '')).toBe(`0 0 * * * ${GUARD} run --schedule '0 0 * * *' -- "\${SHELL:-/bin/sh}" -c '/usr/local/bin/purge --old'\n`);
    }));

  it('keeps @reboot and the other specials, giving each special its schedule', () =>
    withGuest(shell, async (guest) => {
      guest.write('in', '@reboot /usr/local/bin/warmup\n@daily find /tmp -delete\n@hourly true\n');
      await guest.run([...WRAP(guest), guest.path('in')]);
      const lines = readFileSync(guest.path('out'), 'utf8').split('\n');
      expect(lines.map((l) => l.replace(/--name \S+ /, ''))).toEqual([
        `@reboot ${GUARD} run -- "\${SHELL:-/bin/sh}" -c '/usr/local/bin/warmup'`,
        `@daily ${GUARD} run --schedule '0 0 * * *' -- "\${SHELL:-/bin/sh}" -c 'find /tmp -delete'`,
        `@hourly ${GUARD} run --schedule '0 * * * *' -- "\${SHELL:-/bin/sh}" -c 'true'`,
        '',
      ]);
    }));

  it('is idempotent: wrapping a wrapped crontab changes nothing', () =>
    withGuest(shell, async (guest) => {
      guest.write('in', '# jobs\nSHELL=/bin/bash\n0 3 * * * cd /srv && ./nightly "a b" \'c\'\n@reboot warmup\n30 2 * * mon-fri mail -s report ops%line one%line two\n');
      await guest.run([...WRAP(guest), guest.path('in')]);
      const once = readFileSync(guest.path('out'), 'utf8');
      await guest.run(['wrap-crontab', '--guard', GUARD, '--output', guest.path('twice'), guest.path('out')]);
      expect(readFileSync(guest.path('twice'), 'utf8')).toBe(once);
    }));

  it('leaves an already guarded file untouched when rewriting in place', () =>
    withGuest(shell, async (guest) => {
      guest.write('in', '0 3 * * * true\n');
      await guest.run(['wrap-crontab', '--guard', GUARD, guest.path('in')]);
      const before = statSync(guest.path('in')).mtimeMs;
      await new Promise((r) => setTimeout(r, 20));
      await guest.run(['wrap-crontab', '--guard', GUARD, guest.path('in')]);
      expect(statSync(guest.path('in')).mtimeMs).toBe(before);
    }));

  it('wraps /etc/cron.d files after their user field and keeps the file mode', () =>
    withGuest(shell, async (guest) => {
      guest.write('etc/cron.d/app', 'SHELL=/bin/sh\n*/10 * * * * www-data php /srv/app/cron.php\n@hourly root /usr/sbin/rotate\n');
      chmodSync(guest.path('etc/cron.d/app'), 0o640);
      const result = await guest.run(['wrap-crontab', '--guard', GUARD, guest.path('etc/cron.d/app')]);
      const lines = readFileSync(guest.path('etc/cron.d/app'), 'utf8').split('\n');
      expect({ code: result.code, lines: lines.map((l) => l.replace(/--name \S+ /, '')), mode: statSync(guest.path('etc/cron.d/app')).mode & 0o777 }).toEqual({
        code: 0,
        lines: ['SHELL=/bin/sh', `*/10 * * * * www-data ${GUARD} run --schedule '*/10 * * * *' -- "\${SHELL:-/bin/sh}" -c 'php /srv/app/cron.php'`, `@hourly root ${GUARD} run --schedule '0 * * * *' -- "\${SHELL:-/bin/sh}" -c '/usr/sbin/rotate'`, ''],
        mode: 0o640,
      });
    }));

  it('reads a user field anywhere with --system', () =>
    withGuest(shell, async (guest) => {
      guest.write('crontab', '17 * * * * root cd / && run-parts --report /etc/cron.hourly\n');
      await guest.run([...WRAP(guest), '--system', guest.path('crontab')]);
      expect(readFileSync(guest.path('out'), 'utf8')).toMatch(/^17 \* \* \* \* root \S+ run --name cd-\d+ --schedule '17 \* \* \* \*' -- .* -c 'cd \/ && run-parts --report \/etc\/cron.hourly'\n$/);
    }));

  it.each([
    ['a minute out of range', '61 * * * * true', "minute field '61': '61' out of range 0-59"],
    ['too few time fields', '* * * true', 'expected 5 time fields and a command'],
    ['an unknown special', '@fortnightly true', "unknown special '@fortnightly'"],
    ['a line that is nothing cron knows', 'run backups please', 'neither a job, an environment setting nor a comment'],
    ['a schedule without a command', '0 3 * * *', 'expected 5 time fields and a command'],
    ['a weekday name in the month field', '0 3 * mon * true', "month field 'mon'"],
  ])('refuses %s with a clear error and writes no output file', (_what, line, message) =>
    withGuest(shell, async (guest) => {
      guest.write('in', `# ok\n0 1 * * * true\n${line}\n`);
      const result = await guest.run([...WRAP(guest), guest.path('in')]);
      expect({ code: result.code, stderr: result.stderr, out: existsSync(guest.path('out')) }).toEqual({
        code: 2,
        stderr: expect.stringContaining(`${guest.path('in')}:3: cannot parse this line: ${message}`),
        out: false,
      });
    }));

  it('refuses a system crontab line without a user and leaves the file as it was', () =>
    withGuest(shell, async (guest) => {
      guest.write('etc/cron.d/app', '0 3 * * * /usr/bin/nightly\n');
      const result = await guest.run(['wrap-crontab', '--guard', GUARD, guest.path('etc/cron.d/app')]);
      expect({ code: result.code, text: readFileSync(guest.path('etc/cron.d/app'), 'utf8') }).toEqual({ code: 2, text: '0 3 * * * /usr/bin/nightly\n' });
    }));

  it('runs the original command, quotes, escaped % and stdin included, through the guard', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(5);
      const out = guest.path('job-output');
      guest.write('in', `* * * * * printf '\\%s|\\%s|' "a b" 'it'"'"'s 100\\%' > ${out}; cat >> ${out}%line one%line two\n`);
      await guest.run([...WRAP(guest), guest.path('in')]);
      const wrapped = readFileSync(guest.path('out'), 'utf8').trimEnd().split(' ').slice(5).join(' ');
      // What cron does with the command: the first unescaped % ends it, the rest (with % as newlines) is stdin.
      const [command, ...stdin] = wrapped.split(/(?<!\\)%/);
      const cron = spawn(shell, ['-c', command.replace(/\\%/g, '%')], { env: guest.env({ SHELL: shell }) });
      const result = await finished(cron, stdin.join('\n'));
      expect({ code: result.code, output: readFileSync(out, 'utf8') }).toEqual({ code: 0, output: "a b|it's 100%|line one\nline two" });
    }));
});

describe.each(SHELLS)('pra-guard wrap-crontab as a filter under %s', (shell) => {
  const crontab = '# jobs\nMAILTO=ops\n*/5 * * * * /usr/local/bin/sync.sh --fast\n';

  it.each([[[]], [['-']]])('reads stdin and writes stdout (arguments %j), as the file form writes its output', (extra) =>
    withGuest(shell, async (guest) => {
      guest.write('in', crontab);
      await guest.run([...WRAP(guest), guest.path('in')]);
      const result = await guest.run(['wrap-crontab', '--guard', GUARD, ...extra], { stdin: crontab });
      expect({ code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({ code: 0, stdout: readFileSync(guest.path('out'), 'utf8'), stderr: '' });
    }));

  it('reads a system crontab from stdin with --system, and writes --output', () =>
    withGuest(shell, async (guest) => {
      const result = await guest.run(['wrap-crontab', '--guard', GUARD, '--system', '--output', guest.path('out')], { stdin: '@hourly root /usr/sbin/rotate\n' });
      expect({ code: result.code, stdout: result.stdout, out: readFileSync(guest.path('out'), 'utf8').replace(/--name \S+ /, '') }).toEqual({
        code: 0,
        stdout: '',
        out: `@hourly root ${GUARD} run --schedule '0 * * * *' -- "\${SHELL:-/bin/sh}" -c '/usr/sbin/rotate'\n`,
      });
    }));

  it('writes nothing on stdout when a line cannot be parsed', () =>
    withGuest(shell, async (guest) => {
      const result = await guest.run(['wrap-crontab', '--guard', GUARD], { stdin: '0 1 * * * true\n61 * * * * true\n' });
      expect({ code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({ code: 2, stdout: '', stderr: expect.stringContaining("stdin:2: cannot parse this line: minute field '61'") });
    }));
});

describe.each(SHELLS)('pra-guard wrap-crontab and time zones under %s', (shell) => {
  const instant = 1795230030; // 2026-11-21T03:00:30Z
  const { TZ: _ignored, ...systemEnv } = process.env;
  const systemMinute = spawnSync('date', ['-d', `@${instant}`, '+%-M %-H'], { env: systemEnv, encoding: 'utf8' }).stdout.trim();

  it('keeps TZ= and CRON_TZ= lines, notes that CRON_TZ moves nothing, and the wrapped job runs on time with its TZ', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(3);
      const out = guest.path('job-output');
      const text = `TZ=JST-9\nCRON_TZ=JST-9\n${systemMinute} * * * echo "$TZ" > ${out}\n`;
      const wrap = await guest.run(['wrap-crontab', '--guard', GUARD], { stdin: text });
      const lines = wrap.stdout.split('\n');
      // What cron does at the scheduled minute (the system zone's): the line's command, with the crontab's settings in its environment.
      const command = lines[2].split(' ').slice(5).join(' ');
      const cron = spawn('faketime', [`@${instant}`, shell, '-c', command], { env: guest.env({ SHELL: shell, TZ: 'JST-9', CRON_TZ: 'JST-9' }) });
      const result = await finished(cron);
      expect({
        settings: lines.slice(0, 2),
        note: wrap.stderr,
        code: result.code,
        decision: guest.ledger()[0].decision,
        jobSawItsTz: existsSync(out) ? readFileSync(out, 'utf8') : 'did not run',
      }).toEqual({
        settings: ['TZ=JST-9', 'CRON_TZ=JST-9'],
        note: expect.stringContaining('stdin:2: note: CRON_TZ does not move the schedule'),
        code: 0,
        decision: 'allow',
        jobSawItsTz: 'JST-9\n',
      });
    }));
});
