import { appendFileSync, rmSync } from 'node:fs';
import { PermanentError, TransientError } from '../../hooks/drivers/common/errors';
import { Journal } from '../../hooks/engine/journal';
import { Runner, type Approver, type Decision } from '../../hooks/engine/runner';
import { localRunJournal } from '../../hooks/engine/run-store';
import type { Plan, Step } from '../../hooks/engine/step';
import { tempDirs } from '../helpers/tmp';
import { eventually } from '../support/eventually';

/** A tiny world the steps act on: a set of flags, with a log of every act and undo. */
interface World {
  done: Set<string>;
  log: string[];
  failures: Record<string, Error[]>;
}

function aStep(id: string, extra: Partial<Step<World>> = {}): Step<World> {
  return {
    id,
    phase: 'test',
    title: `step ${id}`,
    describe: () => `do ${id}`,
    check: async ({ systems }) => (systems.done.has(id) ? { output: `${id}-output` } : undefined),
    act: async ({ systems }) => {
      const failure = systems.failures[id]?.shift();
      if (failure) throw failure;
      systems.log.push(`act ${id}`);
      systems.done.add(id);
      return `${id}-output`;
    },
    undo: async ({ systems }) => {
      systems.log.push(`undo ${id}`);
      systems.done.delete(id);
    },
    timeoutSeconds: 5,
    retry: { attempts: 3, baseDelayMs: 1 },
    ...extra,
  };
}

const auto: Approver = { request: async () => ({ approved: true, by: 'auto', comment: 'drill' }) };
const waitForRemote: Approver = { request: async () => undefined };

const dirs = tempDirs();
let dir: string;
beforeEach(() => {
  dir = dirs.make('pra-runner-');
});
afterEach(() => dirs.removeAll());

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

function setup(steps: Step<World>[], approver: Approver = auto, world?: World) {
  const systems = world ?? { done: new Set<string>(), log: [], failures: {} };
  const plan: Plan<World> = { name: 'test', from: 'sbg', to: 'rbx', rtoMinutes: 30, steps };
  const journal = new Journal(dir, 'run-1');
  const runner = new Runner(plan, { journal: localRunJournal(journal), systems, approver, operator: 'alice', sleep: tick, approvalPollMs: 1 });
  return { systems, runner, journal };
}

describe('Runner', () => {
  it('runs every step in order and completes', async () => {
    const { runner, systems, journal } = setup([aStep('a'), aStep('b')]);
    const view = await runner.start({});
    expect(view.state).toBe('completed');
    expect(systems.log).toEqual(['act a', 'act b']);
    expect(journal.entries().map((e) => e.type)).toEqual([
      'run.started', 'step.started', 'step.acted', 'step.succeeded', 'step.started', 'step.acted', 'step.succeeded', 'run.completed',
    ]);
  });

  it('skips the act of a step whose check says it is already done, keeping its output', async () => {
    const { runner, systems } = setup([aStep('a'), aStep('b', { act: async (ctx) => `saw ${String(ctx.outputs.a)}` })]);
    systems.done.add('a');
    const view = await runner.start({});
    expect(systems.log).toEqual([]);
    expect(view.steps.map((s) => [s.status, s.output])).toEqual([['skipped', 'a-output'], ['succeeded', 'saw a-output']]);
  });

  it('retries a transient error and journals the retry', async () => {
    const { runner, systems, journal } = setup([aStep('a')]);
    systems.failures.a = [new TransientError('zerto', 'HTTP 503')];
    expect((await runner.start({})).state).toBe('completed');
    expect(journal.entries().filter((e) => e.type === 'step.retried')).toHaveLength(1);
  });

  it('pauses on a permanent error and completes when resumed after the fix', async () => {
    const { runner, systems } = setup([aStep('a'), aStep('b')]);
    systems.failures.b = [new PermanentError('dns ovh', 'refresh refused')];
    const paused = await runner.start({});
    expect(paused.state).toBe('pausedByFailedStep');
    expect(paused.pauseMessage).toContain('dns ovh: refresh refused');
    expect(paused.steps[1]).toMatchObject({ status: 'failed' });
    const resumed = await runner.resume();
    expect(resumed.state).toBe('completed');
    expect(systems.log).toEqual(['act a', 'act b']);
  });

  it('re-checks the step that was in flight at a crash instead of acting again', async () => {
    const { runner, systems, journal } = setup([aStep('a'), aStep('b')]);
    await runner.start({});
    // Rewind the journal to just after b started (b had acted in the world before the crash).
    const entries = journal.entries();
    const cut = entries.findIndex((e) => e.type === 'step.started' && e.step === 'b');
    rmSync(journal.file);
    const crashed = new Journal(dir, 'run-1');
    for (const e of entries.slice(0, cut + 1)) {
      const { seq: _s, ts: _t, run: _r, ...event } = e;
      crashed.append(event as never);
    }
    appendFileSync(journal.file, '{"seq": 99, "type": "step.ac'); // torn last line
    systems.log.length = 0;
    const { runner: again } = setup([aStep('a'), aStep('b')], auto, systems);
    const view = await again.resume();
    expect(view.state).toBe('completed');
    expect(systems.log).toEqual([]);
    expect(view.steps[1].status).toBe('skipped');
  });

  it('fails a step that runs past its timeout', async () => {
    const slow = aStep('slow', { act: (ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve('late'))), timeoutSeconds: 0.05, retry: { attempts: 1 } });
    const view = await setup([slow]).runner.start({});
    expect(view.state).toBe('pausedByFailedStep');
    expect(view.steps[0].error).toContain('did not finish within 50 ms');
  });

  it('records the approval with identity and comment, then continues', async () => {
    const gate = aStep('gate', { gate: { name: 'validation', prompt: 'RBX validated?' }, check: undefined });
    const view = await setup([gate, aStep('b')]).runner.start({});
    expect(view.state).toBe('completed');
    expect(view.approvals).toEqual([expect.objectContaining({ gate: 'validation', decision: expect.objectContaining({ approved: true, by: 'auto', comment: 'drill' }) })]);
  });

  it('waits for an approval journaled from another terminal', async () => {
    const gate = aStep('gate', { gate: { name: 'activation', prompt: 'go?' }, check: undefined });
    const { runner, journal } = setup([gate], waitForRemote);
    const running = runner.start({});
    // Journaling is asynchronous (the journal may be etcd): the run exists once run.started is stored.
    await eventually('the gate waits for an approval', () => journal.entries().length > 0 && runner.view().state === 'pendingApproval');
    expect(runner.view().state).toBe('pendingApproval');
    new Journal(dir, 'run-1').append({ type: 'approval.given', gate: 'activation', by: 'bob', comment: 'four eyes' });
    expect((await running).state).toBe('completed');
    expect(journal.entries().some((e) => e.type === 'step.succeeded' && e.step === 'gate')).toBe(true);
  });

  it('keeps an approval journaled while no process drove the run, instead of asking again', async () => {
    const gate = aStep('gate', { gate: { name: 'activation', prompt: 'go?' }, check: undefined });
    const journal = new Journal(dir, 'run-1');
    const stop = new AbortController();
    const plan: Plan<World> = { name: 'test', from: 'sbg', to: 'rbx', rtoMinutes: 30, steps: [gate, aStep('b')] };
    const systems = { done: new Set<string>(), log: [], failures: {} };
    const first = new Runner(plan, { journal: localRunJournal(journal), systems, approver: waitForRemote, operator: 'alice', sleep: tick, approvalPollMs: 1, signal: stop.signal });
    const running = first.start({});
    await eventually('the gate waits', () => journal.entries().length > 0 && first.view().state === 'pendingApproval');
    // The driving process dies here (its journal ends at the request), then bob approves from elsewhere.
    const crashed = journal.entries();
    stop.abort();
    await running;
    rmSync(journal.file);
    for (const e of crashed) new Journal(dir, 'run-1').append(e as never);
    new Journal(dir, 'run-1').append({ type: 'approval.given', gate: 'activation', by: 'bob', comment: 'while alice was gone' });
    const { runner: resumed, systems: after } = setup([gate, aStep('b')], waitForRemote, systems);
    const view = await resumed.resume({ takeOver: true });
    expect(view.state).toBe('completed');
    expect(after.log).toEqual(['act b']);
    expect(view.approvals).toEqual([expect.objectContaining({ gate: 'activation', decision: expect.objectContaining({ by: 'bob' }) })]);
  });

  it('pauses by operator when an approval is declined', async () => {
    const decline: Approver = { request: async (): Promise<Decision> => ({ approved: false, by: 'carol', comment: 'RPO too high' }) };
    const gate = aStep('gate', { gate: { name: 'validation', prompt: 'ok?' }, check: undefined });
    const view = await setup([gate], decline).runner.start({});
    expect(view.state).toBe('pausedByOperator');
    expect(view.pauseMessage).toContain('declined by carol: RPO too high');
  });

  it('rolls back completed steps in reverse order', async () => {
    const { runner, systems } = setup([aStep('a'), aStep('b'), aStep('c')]);
    systems.failures.c = [new PermanentError('x', 'broken')];
    await runner.start({});
    const view = await runner.rollback('test');
    expect(view.state).toBe('rolledBack');
    expect(systems.log).toEqual(['act a', 'act b', 'undo c', 'undo b', 'undo a']);
  });

  it('refuses to roll back past the point of no return and says what to do instead', async () => {
    const { runner } = setup([aStep('a'), aStep('commit', { pointOfNoReturn: true }), aStep('c', { act: async () => { throw new PermanentError('x', 'no'); } })]);
    await runner.start({});
    await expect(runner.rollback('test')).rejects.toThrow(/cannot be rolled back; the way back is a new failover \(pra failover --to sbg\)/);
  });

  it('refuses to resume a run with a plan whose steps changed', async () => {
    await setup([aStep('a')]).runner.start({});
    await expect(setup([aStep('a'), aStep('b')]).runner.resume()).rejects.toThrow(/steps differ/);
  });
});
