import { listRuns } from '../../hooks/engine/journal';
import { drillWorldPerSuite, praChild, runFlags } from '../support/drill';

describe('two operators starting a failback at once', () => {
  const suite = drillWorldPerSuite();

  it('lets exactly one proceed; the other is refused (exit 4) with who holds the lock and since when', async () => {
    const { world } = suite;
    const [a, b] = await Promise.all([
      praChild(world, ['failback', '--to', 'rbx', ...runFlags(world), '--operator', 'alice']),
      praChild(world, ['failback', '--to', 'rbx', ...runFlags(world), '--operator', 'bob']),
    ]);
    const codes = [a.code, b.code].sort();
    expect(codes).toEqual([0, 4]);
    const refused = a.code === 4 ? a : b;
    const winner = a.code === 4 ? 'bob' : 'alice';
    expect(refused.output).toMatch(new RegExp(`run lock held by ${winner} \\(run [0-9A-Za-z-]+\\) \\(pid \\d+ on [^)]+\\) since \\d{4}-\\d\\d-\\d\\dT`));
    expect(listRuns(world.journalDir)).toHaveLength(1);
  }, 180_000);
});
