import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { eventually } from '../support/eventually';
import { Guest, SHELLS, finished, withGuest } from './guest';

/** `pra-guard drain` and `status`: jobs in flight, as the engine sees them over SSH during a handover. */

/** This guest reads only guestinfo, which names RBX at 11 (guards may be held behind a gate for up to 60 s). */
function guestinfoAtRbx(guest: Guest): void {
  guest.atRbx({ sources: 'guestinfo', guestinfo_timeout_ms: 60000 });
  guest.guestinfo({ 'pra.active_site': 'rbx', 'pra.epoch': 11 });
}

/** Starts a guarded job whose guestinfo source answers only once the file `gate` exists: a guard still deciding. */
function decidingGuard(guest: Guest, name: string, gate: string) {
  return finished(guest.start(['run', '--name', name, '--', 'true'], { PRA_FAKE_GUESTINFO_GATE: guest.path(gate) }));
}

/** A deciding guard (as above), once it is registered; `done` settles when it ends. */
async function registeredDecidingGuard(guest: Guest, name: string, gate: string) {
  const done = decidingGuard(guest, name, gate);
  await eventually(`${name} is registered`, isInFlight(guest, name));
  return { done };
}

/** Starts a drain bounded at 30 s; `ended()` tells whether it has returned yet. */
function startDrain(guest: Guest) {
  const result = finished(guest.start(['drain', '--timeout', '30']));
  let done = false;
  void result.then(() => (done = true));
  return { result, ended: () => done };
}

/** Whether a record of job `name` (holding `text` too, when given) is in flight. */
const isInFlight = (guest: Guest, name: string, text = '') => () =>
  guest.inflight().some((id) => {
    const record = guest.path(`run/pra-guard/inflight/${id}`);
    const content = existsSync(record) ? readFileSync(record, 'utf8') : '';
    return content.includes(`job=${name}\n`) && content.includes(text);
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts a guarded job that runs until the file `release` exists; resolves once the job runs. */
async function longJob(guest: Guest, name: string) {
  const release = guest.path(`release-${name}`);
  const guard = guest.start(['run', '--name', name, '--', 'sh', '-c', `while [ ! -e ${release} ]; do sleep 0.05; done`]);
  const done = finished(guard);
  await eventually(`${name} runs`, isInFlight(guest, name, 'state=running\n'));
  return { release: () => guest.write(`release-${name}`, ''), done };
}

/** A pid that certainly belongs to no process any more. */
function deadPid(): number {
  return Number(spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim());
}

describe.each(SHELLS)('pra-guard drain under %s', (shell) => {
  it('returns 0 at once when no guarded job is in flight', () =>
    withGuest(shell, async (guest) => {
      const result = await guest.run(['drain', '--timeout', '5']);
      expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 0, stdout: 'pra-guard: drained: no guarded job in flight\n' });
    }));

  it('blocks while a job runs and returns once it has ended', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(11);
      const first = await longJob(guest, 'first');
      const second = await longJob(guest, 'second');
      const drain = guest.start(['drain', '--timeout', '60']);
      const drained = finished(drain);
      await new Promise((r) => setTimeout(r, 500));
      const blockedWhileBothRun = drain.exitCode === null;
      first.release();
      await first.done;
      await new Promise((r) => setTimeout(r, 500));
      const blockedWhileOneRuns = drain.exitCode === null;
      second.release();
      const result = await drained;
      await second.done;
      expect({ blockedWhileBothRun, blockedWhileOneRuns, code: result.code, inflight: guest.inflight() }).toEqual({
        blockedWhileBothRun: true,
        blockedWhileOneRuns: true,
        code: 0,
        inflight: [],
      });
    }));

  it('waits for what could still be allowed, not for the guards that keep registering after it began (a busy guest)', () =>
    withGuest(shell, async (guest) => {
      guestinfoAtRbx(guest);
      const allowedBeforeFence = await longJob(guest, 'before-fence');
      // The fence: none at 12, confirmed by this guest's source. Then one guard registers and is still deciding.
      guest.guestinfo({ 'pra.active_site': 'none', 'pra.epoch': 12 });
      const early = (await registeredDecidingGuard(guest, 'early', 'early-gate')).done;
      const drain = startDrain(guest);
      // New guarded jobs keep starting every 200 ms (15 at most: a loaded machine must still run this test);
      // each one's source answers only after the drain is over.
      const late: Promise<unknown>[] = [];
      const starter = setInterval(() => late.length < 15 && late.push(decidingGuard(guest, `late-${late.length}`, 'late-gate')), 200);
      try {
        await sleep(1000);
        const waitedForTheAllowedJob = !drain.ended();
        allowedBeforeFence.release();
        await allowedBeforeFence.done;
        await sleep(500);
        const waitedForTheEarlyGuard = !drain.ended();
        guest.write('early-gate', '');
        await early;
        const result = await drain.result;
        const lateDecidingAtTheEnd = late.length > 0 && guest.inflight().length > 0;
        clearInterval(starter);
        guest.write('late-gate', '');
        await Promise.all(late);
        const lateDecisions = new Set(guest.ledger().filter((l) => l.job.startsWith('late-')).map((l) => `${l.decision}:${l.reason}`));
        expect({ waitedForTheAllowedJob, waitedForTheEarlyGuard, code: result.code, stdout: result.stdout, lateDecidingAtTheEnd, lateDecisions: [...lateDecisions] }).toEqual({
          waitedForTheAllowedJob: true,
          waitedForTheEarlyGuard: true,
          code: 0,
          stdout: expect.stringMatching(/^pra-guard: drained: no guarded job in flight that could still be allowed\npra-guard: not waited for: \d+ guard\(s\) still deciding that registered after the drain began[^\n]*\n\d+-\d+ late-\d+ /),
          lateDecidingAtTheEnd: true,
          lateDecisions: ['deny:active-elsewhere:guestinfo=none@12'],
        });
      } finally {
        clearInterval(starter);
        guest.write('late-gate', '');
        await Promise.all(late);
      }
    }),
    120_000, // 15 guards held deciding, on a machine that may be loaded
  );

  it('sees a guard whose guestinfo read is still pending (it registers before reading any source)', () =>
    withGuest(shell, async (guest) => {
      guestinfoAtRbx(guest);
      const pending = (await registeredDecidingGuard(guest, 'pending', 'gate')).done;
      try {
        const result = await guest.run(['drain', '--timeout', '1']);
        expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 1, stderr: expect.stringMatching(/1 guarded job\(s\) still in flight[\s\S]* pending [\s\S]* deciding\n$/) });
      } finally {
        guest.write('gate', '');
        await pending;
      }
    }));

  it('also waits for a job allowed after it began (a guest the fence did not reach)', () =>
    withGuest(shell, async (guest) => {
      guestinfoAtRbx(guest);
      const early = (await registeredDecidingGuard(guest, 'early', 'early-gate')).done;
      const drain = startDrain(guest);
      await sleep(500);
      const allowedAfterDrainBegan = await longJob(guest, 'after');
      guest.write('early-gate', '');
      await early;
      await sleep(700);
      const waitedForTheRunningJob = !drain.ended();
      allowedAfterDrainBegan.release();
      await allowedAfterDrainBegan.done;
      expect({ waitedForTheRunningJob, result: await drain.result }).toEqual({
        waitedForTheRunningJob: true,
        result: expect.objectContaining({ code: 0, stdout: 'pra-guard: drained: no guarded job in flight\n' }),
      });
    }));

  it('exits 1 and names the job when it is still running at the timeout', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(11);
      const job = await longJob(guest, 'stuck');
      const result = await guest.run(['drain', '--timeout', '1']);
      job.release();
      await job.done;
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 1, stderr: expect.stringMatching(/1 guarded job\(s\) still in flight after 1 s[\s\S]* stuck /) });
    }));

  it('removes records of dead processes and returns 0', () =>
    withGuest(shell, async (guest) => {
      const pid = deadPid();
      guest.write(`run/pra-guard/inflight/1795240686843-${pid}`, `job=crashed\nstart=2026-11-21T03:00:00.000Z\nstate=running\npid=${deadPid()}\nepoch=4\n`);
      const result = await guest.run(['drain', '--timeout', '5']);
      expect({ code: result.code, inflight: guest.inflight() }).toEqual({ code: 0, inflight: [] });
    }));

  it('keeps waiting for a job whose guard died but which still runs', () =>
    withGuest(shell, async (guest) => {
      // This test process stands for the job that outlived its guard (killed with SIGKILL).
      guest.write(`run/pra-guard/inflight/1795240686843-${deadPid()}`, `job=orphan\nstate=running\npid=${process.pid}\nepoch=4\n`);
      const result = await guest.run(['drain', '--timeout', '1']);
      expect({ code: result.code, inflight: guest.inflight().length }).toEqual({ code: 1, inflight: 1 });
    }));

  it('refuses a timeout that is not a number with exit code 2', () =>
    withGuest(shell, async (guest) => {
      expect((await guest.run(['drain', '--timeout', 'soon'])).code).toBe(2);
    }));
});

describe.each(SHELLS)('pra-guard status under %s', (shell) => {
  it('reports the site, each source, the decision and the jobs in flight as JSON', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(11);
      guest.config({ sources: 'file,guestinfo' });
      guest.guestinfo({ 'pra.active_site': 'rbx', 'pra.epoch': 10 });
      const job = await longJob(guest, 'report');
      const result = await guest.run(['status', '--json']);
      job.release();
      await job.done;
      const status = JSON.parse(result.stdout);
      expect(status).toEqual({
        host: expect.any(String),
        site: 'rbx',
        siteFrom: 'file',
        configError: null,
        sources: [
          { name: 'file', active: 'rbx', epoch: 11, error: null },
          { name: 'guestinfo', active: 'rbx', epoch: 10, error: null },
        ],
        decision: 'allow',
        reason: 'active',
        epoch: 11,
        inflight: [{ id: expect.stringMatching(/^\d+-\d+$/), job: 'report', pid: expect.any(Number), epoch: 11, start: expect.stringMatching(/Z$/), state: 'running' }],
      });
    }));

  it('reports a source error and the config error in JSON', () =>
    withGuest(shell, async (guest) => {
      guest.config({ sources: 'file', replay_policy: 'maybe' });
      const status = JSON.parse((await guest.run(['status', '--json'])).stdout);
      expect({ sources: status.sources, decision: status.decision, reason: status.reason, configError: status.configError }).toEqual({
        sources: [{ name: 'file', active: null, epoch: null, error: 'missing' }],
        decision: 'deny',
        reason: 'config-error',
        configError: expect.stringContaining('replay_policy must be allow or deny'),
      });
    }));

  it('prints a human summary by default', () =>
    withGuest(shell, async (guest) => {
      guest.activeAtRbx(11);
      const result = await guest.run(['status']);
      expect(result.stdout).toContain('decision: allow (active)\nepoch: 11\nin flight: 0\n');
    }));
});
