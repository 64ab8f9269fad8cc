import { PermanentError } from '../common/errors';
import { pollUntil, type Sleep } from '../common/retry';
import { retrieveProperties } from './properties';
import { faultError, faultType, readMoRef, type MoRef } from './soap';
import type { VsphereSession } from './session';

export interface TaskWaitOptions {
  /** @default 120000 */
  readonly timeoutMs?: number;
  /** Pause between two reads of `info.state`. @default 200 */
  readonly intervalMs?: number;
  readonly sleep?: Sleep;
}

/**
 * Starts a `*_Task` method and waits for its task to succeed. A task that ends in error raises its
 * fault as a typed error (its `fault.type` tells e.g. InvalidPowerState); a task still running at
 * the deadline raises a TimeoutError (the task itself goes on in vCenter).
 */
export async function runTask(session: VsphereSession, method: string, target: MoRef, args = '', options: TaskWaitOptions = {}): Promise<void> {
  const started = await session.call(method, target, args);
  const returned = started.child('returnval');
  if (!returned) throw new PermanentError(session.system, `${method} returned no task`);
  await waitForTask(session, readMoRef(returned), method, options);
}

export async function waitForTask(session: VsphereSession, task: MoRef, what: string, options: TaskWaitOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 120000;
  await pollUntil(
    async () => {
      const [object] = await retrieveProperties(session, 'Task', [task], ['info.state', 'info.error']);
      const state = object?.values.get('info.state')?.text;
      if (state === 'success') return true;
      if (state === 'error') {
        const error = object.values.get('info.error');
        const fault = error?.child('fault');
        throw faultError(session.system, what, { type: fault ? faultType(fault) : 'TaskError', message: error?.childText('localizedMessage') ?? '' });
      }
      return undefined; // queued or running
    },
    { timeoutMs, intervalMs: options.intervalMs ?? 200, system: session.system, what: `${what} (task ${task.value})`, sleep: options.sleep },
  );
}
