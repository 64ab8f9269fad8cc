import { pra } from '../helpers/project';

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
});
