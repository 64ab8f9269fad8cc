import { readJournal } from '../../hooks/engine/journal';
import { drillWorldPerSuite, onlyRun, praChild, runFlags, worldFacts, zertoActions } from '../support/drill';

/**
 * The engine is SIGKILLed right after the first journal event that is new progress (PRA_CRASH_AT_NEW_BOUNDARY),
 * and `pra resume` picks the run up; run after run, every boundary of the run is a crash point, including
 * those inside a step (after the Zerto call, before its `acted`).
 */
describe('crash injection at every journal boundary', () => {
  const suite = drillWorldPerSuite();

  it('completes after being killed at every boundary, with zero overlap and no Zerto action repeated', async () => {
    const { world } = suite;
    const crash = { PRA_CRASH_AT_NEW_BOUNDARY: '1' };
    const first = await praChild(world, ['failback', '--to', 'rbx', ...runFlags(world)], crash);
    expect(first.signal).toBe('SIGKILL');
    let view = onlyRun(world);
    let crashes = 1;
    for (let round = 1; view.state !== 'completed' && round < 300; round++) {
      const next = await praChild(world, ['resume', view.id, '--auto-approve', '--journal-dir', world.journalDir], crash);
      // A resume that ended on its own says why (once under 24 fork loops: signal null, its output not kept).
      expect({ signal: next.signal, ...(next.signal ? {} : { code: next.code, output: next.output.slice(-3000) }) }).toEqual({ signal: 'SIGKILL' });
      crashes++;
      view = onlyRun(world);
    }
    const facts = await worldFacts(world);
    const zerto = { failovers: await zertoActions(world, 'Failover'), commits: await zertoActions(world, 'FailoverCommit') };
    const { overlap } = await suite.finish();
    const entries = readJournal(world.journalDir, view.id);
    expect(view.state).toBe('completed');
    const boundaries = new Set(entries.filter((e) => e.type !== 'run.resumed' && e.type !== 'step.retried').map((e) => `${e.type} ${'step' in e ? e.step : ''}`));
    expect(crashes).toBeGreaterThanOrEqual(boundaries.size - 1); // every boundary but the last (run.completed) was a crash point
    // The first process started the run, every later one resumed it; even the last one died, right after
    // journaling run.completed (a new boundary too).
    expect(entries.filter((e) => e.type === 'run.resumed')).toHaveLength(crashes - 1);
    expect(overlap.windowMs).toBe(0);
    expect(zerto).toEqual({ failovers: 1, commits: 1 });
    // Zerto's naming: the VMs recovered at RBX carry the SBG names, and the commit (reverse protection) removed the SBG VMs.
    expect(facts).toEqual({ authority: 'rbx', rbx: ['poweredOn', 'poweredOn'], sbg: ['absent', 'absent'], dnsOn: 'rbx', lbOn: 'rbx', activeSiteInState: 'rbx' });
  }, 1_200_000); // ~40 s here; 30-odd `pra` children under a fork-heavy load (bench:loaded) took over 10 min
});
