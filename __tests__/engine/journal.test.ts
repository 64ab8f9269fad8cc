import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunEvent } from '../../hooks/engine/events';
import { Journal, readJournal } from '../../hooks/engine/journal';
import { tempDirs } from '../helpers/tmp';

const started: RunEvent = { type: 'step.started', step: 'a', attempt: 1, description: 'a' };

describe('journal', () => {
  const dirs = tempDirs();
  let dir: string;
  beforeEach(() => (dir = dirs.make('pra-journal-')));
  afterEach(() => dirs.removeAll());

  it('numbers events after those another process appended', () => {
    const runner = new Journal(dir, 'run-1');
    runner.append(started);
    new Journal(dir, 'run-1').append({ type: 'approval.given', gate: 'g', by: 'bob', comment: 'ok' });
    const third = runner.append({ type: 'step.succeeded', step: 'a' });
    expect(third.seq).toBe(3);
    expect(runner.entries().map((e) => [e.seq, e.type])).toEqual([
      [1, 'step.started'],
      [2, 'approval.given'],
      [3, 'step.succeeded'],
    ]);
    expect(readJournal(dir, 'run-1')).toEqual(runner.entries());
  });

  it('reads a line another process is still writing only once it is whole', () => {
    const journal = new Journal(dir, 'run-1');
    journal.append(started);
    const line = JSON.stringify({ seq: 2, ts: '2026-01-01T00:00:00.000Z', run: 'run-1', type: 'step.succeeded', step: 'a' });
    appendFileSync(journal.file, line.slice(0, 20));
    expect(journal.entries()).toHaveLength(1);
    appendFileSync(journal.file, `${line.slice(20)}\n`);
    expect(journal.entries().map((e) => e.type)).toEqual(['step.started', 'step.succeeded']);
  });

  it('names the corrupt line of a journal', () => {
    writeFileSync(join(dir, 'run-1.jsonl'), '{"seq":1,"type":"run.started"}\nnot json\n{"seq":3,"type":"step.started"}\n');
    expect(() => new Journal(dir, 'run-1').entries()).toThrow(/run-1\.jsonl: line 2 is not valid JSON/);
    expect(() => readJournal(dir, 'run-1')).toThrow(/line 2 is not valid JSON/);
  });

  it('cuts a torn last line left by a crash before appending', () => {
    writeFileSync(join(dir, 'run-1.jsonl'), '{"seq":1,"ts":"t","run":"run-1","type":"run.started"}\n{"seq":2,"ty');
    const journal = new Journal(dir, 'run-1');
    expect(journal.append(started).seq).toBe(2);
    expect(readJournal(dir, 'run-1').map((e) => e.type)).toEqual(['run.started', 'step.started']);
  });
});
