import { PassThrough } from 'node:stream';
import { ttyApprover } from '../../hooks/engine/approvers';
import { eventually } from '../support/eventually';

function terminal() {
  const input = new PassThrough();
  const output = new PassThrough();
  let shown = '';
  output.on('data', (d: Buffer) => (shown += d.toString()));
  /** Types a line once the prompt has been shown `times` times (readline drops lines typed before its question). */
  const type = async (line: string, prompt: string, times = 1) => {
    await eventually(`the prompt "${prompt}" was shown ${times} time(s)`, () => shown.split(prompt).length - 1 >= times, { intervalMs: 5 });
    input.write(`${line}
`);
  };
  return { input, output, shown: () => shown, type };
}

describe('the terminal approver', () => {
  it('approves on y with the comment typed, under the operator identity', async () => {
    const t = terminal();
    const answer = ttyApprover(t.input, t.output, 'alice').request('validation', 'Resume the RBX VMs?', new AbortController().signal);
    await t.type('y', 'approve?');
    await t.type('RPO 4 s, checks green', 'comment');
    await expect(answer).resolves.toEqual({ approved: true, by: 'alice', comment: 'RPO 4 s, checks green' });
    expect(t.shown()).toContain('Resume the RBX VMs?');
  });

  it('declines on anything but y, and insists on a comment', async () => {
    const t = terminal();
    const answer = ttyApprover(t.input, t.output, 'bob').request('activation', 'Switch?', new AbortController().signal);
    await t.type('n', 'approve?');
    await t.type('', 'comment', 1);
    await t.type('DNS provider incident', 'comment', 2);
    await expect(answer).resolves.toEqual({ approved: false, by: 'bob', comment: 'DNS provider incident' });
    expect(t.shown().match(/comment \(required\)/g)).toHaveLength(2);
  });

  it('gives up its prompt when the gate is decided elsewhere (pra approve)', async () => {
    const t = terminal();
    const decidedElsewhere = new AbortController();
    const answer = ttyApprover(t.input, t.output, 'carol').request('validation', 'Resume?', decidedElsewhere.signal);
    decidedElsewhere.abort();
    await expect(answer).rejects.toThrow();
  });
});
