import { buildApp } from '../../stacks/app';
import { STATES, exampleTopology } from '../helpers/project';

describe('building the app without formatting token stack traces', () => {
  it('restores Error.prepareStackTrace afterwards', () => {
    const before = Error.prepareStackTrace;
    buildApp(exampleTopology(), STATES.normal);
    expect(Error.prepareStackTrace).toBe(before);
    expect(new Error('after').stack).toMatch(/\n\s+at /);
  });

  it('leaves an error thrown while building with its stack', () => {
    const failing = () => {
      throw new Error('userdata source failed');
    };
    let thrown: Error | undefined;
    try {
      buildApp(exampleTopology(), STATES.normal, { userData: failing });
    } catch (error) {
      thrown = error as Error;
    }
    expect(thrown?.message).toBe('userdata source failed');
    expect(thrown?.stack).toMatch(/\n\s+at Object\.failing /);
  });
});
