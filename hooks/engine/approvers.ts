import { createInterface } from 'node:readline/promises';
import type { Approver, Decision } from './runner';

/** `--auto-approve` (drills, CI): approves at once, journaled under the given identity. */
export function autoApprover(by: string): Approver {
  return { request: async (): Promise<Decision> => ({ approved: true, by, comment: 'auto-approved (--auto-approve)' }) };
}

/** No answer here: the runner waits for `pra approve RUN --gate NAME` from another terminal (four-eyes). */
export const remoteApprover: Approver = { request: async () => undefined };

/**
 * Asks on the terminal: `y` approves, anything else declines; a comment is required either way (it goes in
 * the journal and the report). Cancelled when the gate is decided elsewhere.
 */
export function ttyApprover(input: NodeJS.ReadableStream, output: NodeJS.WritableStream, by: string): Approver {
  return {
    async request(gate, prompt, signal) {
      const rl = createInterface({ input, output, terminal: (input as NodeJS.ReadStream).isTTY === true });
      try {
        const answer = await rl.question(`\n${prompt}\n[${gate}] approve? (y/N, or approve from elsewhere with pra approve) `, { signal });
        let comment = '';
        while (!comment.trim()) comment = await rl.question('comment (required): ', { signal });
        return { approved: /^y(es)?$/i.test(answer.trim()), by, comment: comment.trim() };
      } finally {
        rl.close();
      }
    },
  };
}
