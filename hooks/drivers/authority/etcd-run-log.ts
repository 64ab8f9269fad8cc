import { Range, type Etcd3 } from 'etcd3';
import { etcdError, singleKv } from '../common/etcd';
import { PermanentError } from '../common/errors';
import type { RunLockHandle } from './index';

/** Zero-padded so that etcd's byte order of the keys is the order of the events. */
const SEQ_DIGITS = 10;

/** The run lock was lost (its lease expired or was revoked): this process must not write another event. */
export class RunLockLostError extends PermanentError {}

/**
 * The runs' journals, shared through etcd so that any operator machine can follow, approve, report and
 * resume a run: one key per event, `<prefix>/<run id>/<seq>`, holding the event as JSON text. An event is
 * appended by one transaction that puts its key only if it was never created (two writers cannot both
 * take a sequence number) and, for the run's driver, only if the run lock key is still bound to the
 * driver's lease (an operator who lost the lock cannot append).
 */
export class EtcdRunLog {
  readonly description: string;

  constructor(
    private readonly client: Etcd3,
    private readonly prefix: string,
    private readonly runLockKey: string,
    private readonly system: string,
  ) {
    this.description = `etcd ${prefix}`;
  }

  /** Every run id with at least one event, in key order (run ids sort by start time). */
  async runIds(): Promise<string[]> {
    const keys = await this.client
      .getAll()
      .prefix(`${this.prefix}/`)
      .keys()
      .catch((error) => {
        throw etcdError(this.system, `list runs under ${this.prefix}`, error);
      });
    return [...new Set(keys.map((key) => key.slice(this.prefix.length + 1).split('/')[0]))].sort();
  }

  /** The run's events after `afterSeq`, in order, as stored. */
  async read(runId: string, afterSeq = 0): Promise<string[]> {
    const response = await this.client
      .getAll()
      .inRange(new Range(`${this.runPrefix(runId)}${seqKey(afterSeq + 1)}`, Range.prefix(this.runPrefix(runId)).end))
      .sort('Key', 'Ascend')
      .exec()
      .catch((error) => {
        throw etcdError(this.system, `read run ${runId}`, error);
      });
    return response.kvs.map((kv) => kv.value.toString('utf8'));
  }

  /**
   * Appends event `seq` of a run. `lock`: the run lock this driver holds, checked in the same transaction.
   * Returns `taken` when another writer (an approval from another machine) took `seq` first.
   */
  async append(runId: string, seq: number, text: string, lock?: RunLockHandle): Promise<'appended' | 'taken'> {
    const key = `${this.runPrefix(runId)}${seqKey(seq)}`;
    let txn = this.client.if(key, 'Create', '==', 0);
    if (lock) {
      if (!lock.leaseId) throw new PermanentError(this.system, 'the run lock has no etcd lease to check; the etcd journal needs the etcd authority\'s run lock');
      txn = txn.and(this.runLockKey, 'Lease', '==', lock.leaseId);
    }
    const result = await txn
      .then(this.client.put(key).value(text))
      .else(this.client.get(key), this.client.get(this.runLockKey))
      .commit()
      .catch((error) => {
        throw etcdError(this.system, `append event ${seq} of run ${runId}`, error);
      });
    if (result.succeeded) return 'appended';
    const stored = singleKv(result.responses[0]?.response_range?.kvs);
    // The same text: our own earlier attempt committed although its answer was lost (a leader change).
    if (stored) return stored.value.toString('utf8') === text ? 'appended' : 'taken';
    const holder = singleKv(result.responses[1]?.response_range?.kvs);
    throw new RunLockLostError(
      this.system,
      `run lock ${this.runLockKey} is no longer ours (${holder ? `now held by ${holder.value.toString('utf8')}` : 'its lease expired'}): event ${seq} of run ${runId} was not written; this process stops driving the run`,
    );
  }

  private runPrefix(runId: string): string {
    return `${this.prefix}/${runId}/`;
  }
}

function seqKey(seq: number): string {
  return String(seq).padStart(SEQ_DIGITS, '0');
}
