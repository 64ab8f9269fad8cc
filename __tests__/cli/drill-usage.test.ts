import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { tempDirs } from '../helpers/tmp';
import { EXAMPLE, pra } from '../helpers/project';
import { aUserTopology } from '../support/user-topology';

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

describe('pra drill options', () => {
  it.each([
    ['--validate', 'soon'],
    ['--validate', '-1'],
    ['--settle', ''],
  ])('refuses %s %j before starting anything', async (option, value) => {
    const { code, stderr } = await pra(['drill', `${option}=${value}`], { cwd: process.cwd() });
    expect(code).toBe(2);
    expect(stderr).toContain(`${option} takes seconds from 0 to 3600, got ${JSON.stringify(value)}`);
  });

  it('refuses a direction other than failback or failover', async () => {
    const { code, stderr } = await pra(['drill', '--direction', 'sideways'], { cwd: process.cwd() });
    expect(code).toBe(2);
    expect(stderr).toContain('--direction takes failback or failover, got "sideways"');
  });

  it('refuses --to a site the topology does not have, naming its sites', async () => {
    const { code, stderr } = await pra(['drill', '--topology', EXAMPLE, '--to', 'paris'], { cwd: process.cwd() });
    expect(code).toBe(2);
    expect(stderr).toContain(`--to paris is not a site of ${EXAMPLE} (rbx, sbg)`);
  });

  it('reports a topology with a bad job schedule as pra validate does, with file:line and the fix', async () => {
    const dir = dirs.make('pra-drill-usage-');
    const topology = aUserTopology('us', 'rfc2136-haproxy-file');
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, stringify({ ...topology, jobs: { db: [{ name: 'backup', schedule: '*/5 25 * * *', durationSeconds: 60 }] } }));
    const { code, stderr } = await pra(['drill', '--topology', file], { cwd: dir });
    expect(code).toBe(2);
    expect(stderr).toMatch(new RegExp(`${file}:\\d+: jobs\\.db\\[0\\]\\.schedule = "\\*/5 25 \\* \\* \\*": is not a cron schedule \\(hour field '25': '25' out of range 0-23\\): write five fields such as \\*/5 \\* \\* \\* \\*`));
  });
});
