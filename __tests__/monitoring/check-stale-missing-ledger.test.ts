import { join } from 'node:path';
import { pra } from '../helpers/project';
import { tempDirs } from '../helpers/tmp';

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

describe('pra check-stale --ledger on a file that cannot be read', () => {
  it('is bad input (exit 2) naming the option and the file, not an internal error', async () => {
    const dir = dirs.make('pra-stale-');
    const missing = join(dir, 'no-such-ledger.log');
    const { code, stdout, stderr } = await pra(['check-stale', '--max-blocked', '2h', '--ledger', missing], { cwd: dir });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`--ledger ${missing}: cannot read it (ENOENT); give the path of an existing file`);
  });

  it('is bad input (exit 2) for a directory given as a ledger', async () => {
    const dir = dirs.make('pra-stale-');
    const { code, stderr } = await pra(['check-stale', '--max-blocked', '2h', '--ledger', dir], { cwd: dir });
    expect(code).toBe(2);
    expect(stderr).toContain(`--ledger ${dir}: cannot read it (EISDIR)`);
  });
});
