import { operate } from '../../hooks/engine/operation';
import { drillWorldPerSuite, engineOptions, failbackSpec, outcome, worldFacts } from '../support/drill';

/** The operator pauses right after a step (Ctrl-C), then rolls back: SBG must be fully back in charge. */
describe('rollback from each phase before the commit', () => {
  const suite = drillWorldPerSuite();

  it.each(['restore.recover', 'validation.approve', 'activation.checks', 'handover.grant', 'switch.state'])(
    'after %s: SBG active, RBX suspended or off, DNS and LB on SBG',
    async (stopAfter) => {
      const { world } = suite;
      const pause = new AbortController();
      const options = engineOptions(world);
      const paused = await operate('start', world.systems, failbackSpec(world), {
        ...options,
        signal: pause.signal,
        onEvent: (e) => {
          if (e.type === 'step.succeeded' && e.step === stopAfter) pause.abort();
        },
      });
      expect(paused.state).toBe('pausedByOperator');
      const rolledBack = await operate('rollback', world.systems, failbackSpec(world), { ...options, runId: paused.id });
      expect(outcome(rolledBack)).toEqual({ state: 'rolledBack' }); // a rollback that stopped names its failed undo
      const facts = await worldFacts(world);
      expect(facts).toMatchObject({ authority: 'sbg', sbg: ['poweredOn', 'poweredOn'], dnsOn: 'sbg', lbOn: 'sbg', activeSiteInState: 'sbg' });
      for (const state of facts.rbx) expect(['suspended', 'poweredOff']).toContain(state);
    },
    120_000,
  );

  it('measured no double execution across all those runs and rollbacks', async () => {
    const { overlap, executionsPerSite } = await suite.finish();
    expect(executionsPerSite.sbg).toBeGreaterThan(0);
    expect(overlap.windowMs).toBe(0);
  });
});
