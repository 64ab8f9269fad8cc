import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileAuthority } from '../../hooks/drivers/authority/file';
import { DiskError } from '../../hooks/drivers/common/disk';
import { Journal } from '../../hooks/engine/journal';
import type { RunEvent } from '../../hooks/engine/events';
import { copyExample, pra } from '../helpers/project';
import { tempDirs } from '../helpers/tmp';
import { aPendingRun } from '../support/journals';

const dirs = tempDirs();
const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts.splice(0)) execFileSync('umount', [m]);
  dirs.removeAll();
});

const RUN = '20250101T030000Z-beef';
const started: RunEvent = { type: 'run.started', plan: 'failback sbg -> rbx', direction: { from: 'sbg', to: 'rbx' }, operator: 'alice', host: 'h', steps: [{ id: 's', phase: 'preflight', title: 't' }], options: {}, rtoMinutes: 30 };

/** A tmpfs of `size` mounted (read-only with `ro`) on a fresh directory: a real full or read-only disk (CI runs as root). */
function disk(size: string, ro = false): string {
  const dir = dirs.make('pra-disk-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}${ro ? ',ro' : ''}`, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

function fill(dir: string): void {
  const chunk = Buffer.alloc(4096, 'x');
  try {
    for (let i = 0; ; i++) writeFileSync(join(dir, `filler-${i}`), chunk);
  } catch (e) {
    expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC');
  }
}

describe('run ids from the command line', () => {
  it('pra approve ../victim: refused before any file is opened; the victim and the journal directory stay as they were (exit 2)', async () => {
    const cwd = dirs.make('pra-runs-');
    const victim = join(cwd, 'victim.jsonl');
    writeFileSync(victim, '{"keep":"me"}\ntorn tail without newline');
    const journals = join(cwd, 'journals');
    const { code, stderr } = await pra(['approve', '../victim', '--gate', 'validation', '--comment', 'x', '--journal-dir', journals], { cwd });
    expect(code).toBe(2);
    expect(stderr).toContain('run id "../victim" is not a run id (YYYYMMDDTHHMMSSZ-xxxx): list runs with pra runs');
    expect(readFileSync(victim, 'utf8')).toBe('{"keep":"me"}\ntorn tail without newline');
    expect(existsSync(journals)).toBe(false);
  });

  it.each([['resume'], ['rollback'], ['report'], ['approve']])('pra %s refuses a path-like run id (exit 2)', async (verb) => {
    const cwd = dirs.make('pra-runs-');
    const { code, stderr } = await pra([verb, '/etc/passwd', ...(verb === 'approve' ? ['--gate', 'g', '--comment', 'c'] : []), '--journal-dir', join(cwd, 'runs')], { cwd });
    expect(code).toBe(2);
    expect(stderr).toContain('is not a run id');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it.each([['resume'], ['rollback'], ['report'], ['approve']])('pra %s of a run that does not exist is a usage error (exit 2)', async (verb) => {
    const cwd = dirs.make('pra-runs-');
    const { code, stderr } = await pra([verb, RUN, ...(verb === 'approve' ? ['--gate', 'g', '--comment', 'c'] : []), '--journal-dir', join(cwd, 'runs')], { cwd });
    expect(code).toBe(2);
    expect(stderr).toContain(`no run ${RUN} in ${join(cwd, 'runs')}: list runs with pra runs`);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('pra approve of a gate the run does not wait on is a usage error (exit 2), nothing journaled', async () => {
    const cwd = dirs.make('pra-runs-');
    const journal = aPendingRun(join(cwd, 'runs'), RUN);
    const before = readFileSync(journal.file, 'utf8');
    const { code, stderr } = await pra(['approve', RUN, '--gate', 'activation', '--comment', 'ok', '--journal-dir', join(cwd, 'runs')], { cwd });
    expect(code).toBe(2);
    expect(stderr).toContain(`run ${RUN} is not waiting on gate activation`);
    expect(readFileSync(journal.file, 'utf8')).toBe(before);
  });
});

describe('corrupt journals', () => {
  it.each([
    ['a garbage middle line', '{"seq":1,"type":"run.started","steps":[]}\ngarbage\n{"seq":3,"type":"x"}\n', 'line 2 is not valid JSON'],
    ['an empty file', '', 'it is empty (no event was ever recorded)'],
    ['a line of the wrong shape', '[1,2,3]\n', 'line 1 is not a journal event (an object with seq and type)'],
    ['a first event that is not run.started', '{"seq":1,"type":"step.started","step":"s"}\n', "its first event is not a run.started with the plan's steps"],
  ])('pra runs lists %s apart with its file and problem, and every other run (exit 2)', async (_name, text, problem) => {
    const cwd = dirs.make('pra-runs-');
    const runs = join(cwd, 'runs');
    aPendingRun(runs, RUN);
    aPendingRun(runs, '20250101T050000Z-0002', 'bob');
    writeFileSync(join(runs, '20250101T040000Z-dead.jsonl'), text);
    const { code, stdout, stderr } = await pra(['runs', '--journal-dir', runs], { cwd });
    expect(stdout).toContain(`${RUN}  pendingApproval`);
    expect(stdout).toContain('20250101T050000Z-0002  pendingApproval');
    expect(stderr).toContain(`journal ${join(runs, '20250101T040000Z-dead.jsonl')}: ${problem}`);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(code).toBe(2);
  });
});

describe('starting a run on a broken disk', () => {
  it('a full disk leaves no journal behind and says what to do; pra runs still works', async () => {
    const mount = disk('64k');
    const runs = join(mount, 'runs');
    mkdirSync(runs);
    fill(mount);
    const append = () => new Journal(runs, RUN).append(started);
    expect(append).toThrow(DiskError);
    expect(append).toThrow(`disk: cannot write ${join(runs, `${RUN}.jsonl`)}: the disk is full: free space on it (or write elsewhere), then retry`);
    expect(readdirSync(runs)).toEqual([]);
    const { code, stdout } = await pra(['runs', '--journal-dir', runs], { cwd: mount });
    expect(code).toBe(0);
    expect(stdout).toBe(`no runs in ${runs}\n`);
  });

  it('a read-only mount is named as such, not as a missing directory', () => {
    const mount = disk('64k', true);
    expect(() => new Journal(join(mount, 'pra', 'runs'), RUN).append(started)).toThrow(
      `disk: cannot write ${join(mount, 'pra')}: the filesystem is mounted read-only: remount it read-write (or write elsewhere), then retry`,
    );
  });

  /** A project on a tmpfs of its own, made read-only or full. */
  function projectOn(broken: 'ro' | 'full'): string {
    const mount = disk('1m');
    copyExample(mount);
    writeFileSync(join(mount, 'failback.auto.tfvars.json'), '{"failback_site":"rbx","enable_failback_pause_mode":false,"active_site":"rbx"}');
    if (broken === 'ro') execFileSync('mount', ['-o', 'remount,ro', mount]);
    else fill(mount);
    return mount;
  }

  it.each([
    ['a read-only project directory (the run lock)', 'ro', [], `.pra: the filesystem is mounted read-only`],
    ['a read-only project directory, --force (the state file)', 'ro', ['--force'], `failback.auto.tfvars.json: the filesystem is mounted read-only`],
    ['a full project directory (the run lock)', 'full', [], `.pra/authority.json.run.lock: the disk is full`],
    ['a full project directory, --force (the state file)', 'full', ['--force'], `failback.auto.tfvars.json: the disk is full`],
  ] as const)('pra state set on %s: a plain message naming the file, exit 3, state unchanged', async (_name, broken, extra, message) => {
    const mount = projectOn(broken);
    const before = readFileSync(join(mount, 'failback.auto.tfvars.json'), 'utf8');
    const { code, stderr } = await pra(['state', 'set', 'active_site=sbg', ...extra], { cwd: mount });
    expect(code).toBe(3);
    expect(stderr).toContain(`pra: state: disk: cannot write ${mount}/${message}`);
    expect(stderr).not.toMatch(/EROFS|ENOSPC|ENOENT|\n\s+at /);
    expect(readFileSync(join(mount, 'failback.auto.tfvars.json'), 'utf8')).toBe(before);
  });
});

describe('pra state set while a run holds the run lock', () => {
  function project(): string {
    const dir = dirs.make('pra-runs-lock-');
    copyExample(dir);
    writeFileSync(join(dir, 'failback.auto.tfvars.json'), '{"failback_site":"rbx","enable_failback_pause_mode":false,"active_site":"rbx"}');
    return dir;
  }

  it('is refused naming the run (exit 4), the state unchanged; --force writes anyway', async () => {
    const dir = project();
    const stateFile = join(dir, 'failback.auto.tfvars.json');
    const before = readFileSync(stateFile, 'utf8');
    const authority = new FileAuthority({ path: join(dir, '.pra', 'authority.json') });
    const lock = await authority.acquireRunLock({ holder: `alice (run ${RUN})`, reason: 'failover rbx -> sbg' });
    try {
      const refused = await pra(['state', 'set', 'active_site=sbg'], { cwd: dir });
      expect(refused.code).toBe(4);
      expect(refused.stderr).toContain(`pra: state set: refused: authority file ${join(dir, '.pra', 'authority.json')}: run lock held by alice (run ${RUN})`);
      expect(refused.stderr).toContain('--force writes anyway');
      expect(readFileSync(stateFile, 'utf8')).toBe(before);
      expect(existsSync(join(dir, 'cdktf.out'))).toBe(false);
      const forced = await pra(['state', 'set', 'active_site=sbg', '--force'], { cwd: dir });
      expect(forced.code).toBe(0);
      expect(JSON.parse(readFileSync(stateFile, 'utf8')).active_site).toBe('sbg');
    } finally {
      await lock.release();
      await authority.close();
    }
  });

  it('takes and releases the lock itself when no run holds it', async () => {
    const dir = project();
    const { code } = await pra(['state', 'set', 'active_site=sbg'], { cwd: dir });
    expect(code).toBe(0);
    expect(readdirSync(join(dir, '.pra')).filter((f) => f.endsWith('.lock'))).toEqual([]);
  });
});
