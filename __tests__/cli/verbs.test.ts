import { verbs } from '../../hooks/cli/commands';
import { pra } from '../helpers/project';
import { tempDirs } from '../helpers/tmp';

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

/** Verbs load on demand (hooks/cli/commands.ts): each entry must load the command of its own name. */
describe('pra verbs', () => {
  it.each(verbs.map((v) => [v.name, v] as const))('%s loads the command of that name', async (name, verb) => {
    expect((await verb.load()).name).toBe(name);
  });

  it('--help lists every verb with its summary', async () => {
    const out = await pra(['--help'], { cwd: dirs.make() });
    expect(out.code).toBe(0);
    for (const { name } of verbs) expect(out.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
  });
});
