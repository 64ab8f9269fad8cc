import { Journal } from '../../hooks/engine/journal';

/** A run waiting at its `validation` gate (not finished), journaled in `dir` under `id`. */
export function aPendingRun(dir: string, id: string, operator = 'alice'): Journal {
  const journal = new Journal(dir, id);
  journal.append({ type: 'run.started', plan: 'failback sbg -> rbx', direction: { from: 'sbg', to: 'rbx' }, operator, host: 'laptop', steps: [{ id: 'preflight.state', phase: 'preflight', title: 't' }, { id: 'validation.approve', phase: 'validation', title: 'gate' }], options: {}, rtoMinutes: 30 });
  journal.append({ type: 'step.succeeded', step: 'preflight.state' });
  journal.append({ type: 'approval.requested', step: 'validation.approve', gate: 'validation', prompt: 'resume?' });
  return journal;
}
