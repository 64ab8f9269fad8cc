import { PermanentError, TransientError } from '../common/errors';
import { realSleep, type Sleep } from '../common/retry';
import type { ZertoClient } from './client';
import { field, idOf, list, str } from './fields';
import type { Vpg } from './model';

/** Sends of one action at most, each after checking that the previous one started nothing. */
const ACTION_ATTEMPTS = 3;

/**
 * Sends a VPG action (Move, commits, rollbacks, tests, tagging): none is idempotent, so none is retried
 * blindly. After an ambiguous failure (timeout, lost connection, 5xx) the VPG's task list says whether the
 * ZVM started it: a new task is adopted, and only when none appeared is the action sent again.
 */
export async function sendAction(client: ZertoClient, vpg: Pick<Vpg, 'id' | 'name'>, verb: string, body?: Record<string, unknown>, sleep: Sleep = realSleep): Promise<string> {
  const path = `/v1/vpgs/${encodeURIComponent(vpg.id)}/${verb}`;
  const known = new Set((await tasksOf(client, vpg.id)).map((t) => t.id));
  const started = async () => (await tasksOf(client, vpg.id)).find((t) => !known.has(t.id));
  let ambiguous: Error | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      const answer = await client.call('POST', path, body, { once: true });
      const taskId = typeof answer === 'string' ? answer : str(answer, 'TaskIdentifier');
      if (!taskId) throw new PermanentError(client.system, `${verb} on ${vpg.name} answered without a task id`);
      client.log(`${client.system}: ${verb} started on ${vpg.name} (task ${taskId})`);
      return taskId;
    } catch (e) {
      // A refusal after an ambiguous attempt may be the ZVM saying our first one is running.
      if (!(e instanceof TransientError) && ambiguous === undefined) throw e;
      const task = await started();
      if (task) {
        client.log(`${client.system}: ${verb} on ${vpg.name} got no answer, but the ZVM shows it started (task ${task.id}): not sent again`);
        return task.id;
      }
      if (!(e instanceof TransientError) || attempt >= ACTION_ATTEMPTS) throw e;
      ambiguous = e;
      client.log(`${client.system}: ${verb} on ${vpg.name}: ${e.message}; the ZVM shows no new task, sending it again`);
      await sleep(500 * attempt);
    }
  }
}

/** The tasks the ZVM lists for one VPG (RelatedEntities.Vpgs). */
async function tasksOf(client: ZertoClient, vpgId: string): Promise<{ id: string }[]> {
  return list(await client.get('/v1/tasks'))
    .filter((t) => list(field(field(t, 'RelatedEntities'), 'Vpgs')).some((v) => str(v, 'identifier') === vpgId))
    .map((t) => ({ id: idOf(t, 'TaskIdentifier') }));
}

/**
 * The Before Commit wait of a Move (`CommitPolicyTimeout`) or Failover (`TimeToWaitBeforeShutdownInSec`): sent
 * only with a Commit or Rollback policy (it means nothing with None), 300-86400 s, 3600 by default, as Zerto's
 * PowerShell wrapper does (ZertoPublic/ZertoApiWrapper Invoke-ZertoMove.ps1, Invoke-ZertoFailover.ps1).
 */
export function beforeCommitWait(fieldName: string, policy: string, seconds: number | undefined, system: string): Record<string, number> {
  if (policy === 'none') return {};
  const value = seconds ?? 3600;
  if (!Number.isInteger(value) || value < 300 || value > 86400) throw new PermanentError(system, `${fieldName} ${value} s is outside 300-86400 s: give a Before Commit wait the ZVM accepts`);
  return { [fieldName]: value };
}
