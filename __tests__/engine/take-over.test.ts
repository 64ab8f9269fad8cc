import type { JournalEntry } from '../../hooks/engine/events';
import { replay } from '../../hooks/engine/execution';
import { RunRefusedError } from '../../hooks/engine/runner';
import { lastDriverOf, takeOverOf } from '../../hooks/engine/take-over';

let seq = 0;
const at = (event: object) => ({ seq: ++seq, ts: `2026-05-01T10:00:${String(seq).padStart(2, '0')}.000Z`, run: 'run-1', ...event }) as JournalEntry;
const started = () => at({ type: 'run.started', plan: 'p', direction: { from: 'sbg', to: 'rbx' }, operator: 'alice', host: 'laptop-a', steps: [{ id: 'a', phase: 'x', title: 'a' }], options: {}, rtoMinutes: 30 });

describe('taking a run over', () => {
  beforeEach(() => {
    seq = 0;
  });

  it('names the last driver: who started the run, or who resumed it last', () => {
    const entries = [started(), at({ type: 'run.resumed', by: 'bob', host: 'ops-2' })];
    expect(lastDriverOf(entries.slice(0, 1))).toBe('alice on laptop-a');
    expect(lastDriverOf(entries)).toBe('bob on ops-2');
  });

  it('refuses to resume a run another operator was driving when it died, unless --take-over', () => {
    const entries = [started(), at({ type: 'step.started', step: 'a', attempt: 1, description: 'a' })];
    expect(() => takeOverOf(replay(entries), entries, 'bob on ops-2', false)).toThrow(RunRefusedError);
    expect(() => takeOverOf(replay(entries), entries, 'bob on ops-2', false)).toThrow(/driven by alice on laptop-a and did not pause .*pra resume run-1 --take-over/);
    expect(takeOverOf(replay(entries), entries, 'bob on ops-2', true)).toBe('alice on laptop-a');
  });

  it('lets anyone resume a paused run, and the same driver resume its own run, without --take-over', () => {
    const paused = [started(), at({ type: 'run.paused', reason: 'operator', step: 'a', message: 'Ctrl-C' })];
    expect(takeOverOf(replay(paused), paused, 'bob on ops-2', false)).toBeUndefined();
    const crashed = [started(), at({ type: 'step.started', step: 'a', attempt: 1, description: 'a' })];
    expect(takeOverOf(replay(crashed), crashed, 'alice on laptop-a', true)).toBeUndefined();
  });
});
