import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { realSleep } from '../../hooks/drivers/common/retry';
import { autoApprover } from '../../hooks/engine/approvers';
import { journalFile } from '../../hooks/engine/journal';
import { operate } from '../../hooks/engine/operation';
import { REPO_ROOT } from '../core';
import { guardLedger, guestRoot, guestVms } from '../guests/fleet';
import { zertoControl } from '../sims/zerto/control-client';
import { prepareDrillWorld, type DrillWorld } from './world';

/**
 * Records the journals the report tests read (`__tests__/fixtures/journals/`), by running the real failback
 * on the drill world with faults injected through the Zerto simulator's control endpoint:
 *   completed      one transient Zerto fault, retried (and the guards' ledgers, for the double-execution figure)
 *   paused-resumed Zerto refuses the checkpoint until the fault is cleared; the run pauses, then resumes
 *   rolled-back    Zerto refuses the commit; the operator rolls the run back
 * Usage: node dist/testenv/drill/record-journals.js [SCENARIO...]   (about 15 s each; testenv starts itself)
 */
const OUT = join(REPO_ROOT, '__tests__', 'fixtures');
const CHECKPOINT = { path: '^/v1/vpgs/[^/]+/checkpoints$', method: 'POST', kind: 'status', status: 503 };
const COMMIT = { path: '^/v1/vpgs/[^/]+/FailoverCommit$', method: 'POST', kind: 'status', status: 400 };

async function control(world: DrillWorld, method: string, path: string, body?: unknown): Promise<void> {
  await zertoControl(world.env.PRA_TESTENV_ZERTO_CONTROL_URL, '/instances/default')(method, path, body);
}

async function record(name: string, scenario: (world: DrillWorld, run: (action: 'start' | 'resume' | 'rollback', runId?: string) => Promise<string>) => Promise<string>): Promise<void> {
  const world = await prepareDrillWorld({ guard: true, log: (line) => process.stderr.write(`${line}\n`) });
  const run = async (action: 'start' | 'resume' | 'rollback', runId?: string) => {
    const view = await operate(action, world.systems, world.failback, { journalDir: world.journalDir, operator: action === 'start' ? 'alice' : 'bob', approver: autoApprover('carol'), approvalPollMs: 20, runId });
    process.stderr.write(`${name}: ${action} -> ${view.state}\n`);
    return view.id;
  };
  let runId = '';
  try {
    await realSleep(2000);
    runId = await scenario(world, run);
    await realSleep(2000);
  } finally {
    await control(world, 'DELETE', '/faults');
    await world.finish();
  }
  mkdirSync(join(OUT, 'journals'), { recursive: true });
  copyFileSync(journalFile(world.journalDir, runId), join(OUT, 'journals', `${name}.jsonl`));
  if (name !== 'completed') return;
  mkdirSync(join(OUT, 'ledgers'), { recursive: true });
  for (const vm of guestVms(world.dir)) copyFileSync(guardLedger(guestRoot(world.dir, vm)), join(OUT, 'ledgers', `${name}-${vm}.log`));
}

const SCENARIOS: Record<string, () => Promise<void>> = {
  completed: () => record('completed', async (world, run) => {
    await control(world, 'POST', '/faults', { ...CHECKPOINT, count: 4 }); // the client's 4 attempts fail once: one step retry
    return run('start');
  }),
  'paused-resumed': () => record('paused-resumed', async (world, run) => {
    await control(world, 'POST', '/faults', CHECKPOINT);
    const runId = await run('start');
    await control(world, 'DELETE', '/faults');
    return run('resume', runId);
  }),
  'rolled-back': () => record('rolled-back', async (world, run) => {
    await control(world, 'POST', '/faults', COMMIT);
    const runId = await run('start');
    await control(world, 'DELETE', '/faults');
    return run('rollback', runId);
  }),
};

/** Records every scenario, or those named on the command line. */
async function main(): Promise<void> {
  for (const name of process.argv.length > 2 ? process.argv.slice(2) : Object.keys(SCENARIOS)) {
    const scenario = SCENARIOS[name];
    if (!scenario) throw new Error(`record: unknown scenario ${name}; use ${Object.keys(SCENARIOS).join(', ')}`);
    await scenario();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${(error as Error).stack}\n`);
    process.exit(1);
  },
);
