import { AuthError, DriverError, PermanentError, TimeoutError, TransientError } from '../../hooks/drivers/common/errors';
import { Secret } from '../../hooks/drivers/common/secret';
import { exclusive } from '../support/exclusive';
import { testenv } from '../support/testenv';
import { aClient, logLines, proxyControl, someVms } from './support';

/** Every error the tests below saw, for the secret-leak check at the end. */
const errors: unknown[] = [];
async function failure(promise: Promise<unknown>): Promise<DriverError> {
  try {
    await promise;
  } catch (error) {
    errors.push(error);
    return error as DriverError;
  }
  throw new Error('expected a failure');
}

describe('vSphere driver failure handling', () => {
  exclusive('vcenter-proxy'); // the drill's vCenter fault goes through the same proxy
  beforeEach(() => proxyControl('/reset', {}));
  afterAll(() => proxyControl('/reset', {}));

  it('refuses a wrong password with AuthError and does not retry it', async () => {
    const client = aClient({ via: 'proxy', config: { password: new Secret('not-the-password') } });
    const error = await failure(client.login());
    expect(error).toBeInstanceOf(AuthError);
    expect(await proxyControl('/stats')).toEqual({ requests: 2 }); // RetrieveServiceContent + one Login
    await client.close();
  });

  it('refuses the simulator certificate without a CA file or the insecure flag', async () => {
    const client = aClient({ config: { caFile: undefined } });
    const error = await failure(client.login());
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.message).toMatch(/TLS verification failed/);
    await client.close();
  });

  it('accepts the simulator certificate when given the testenv CA', async () => {
    const client = aClient({ config: { caFile: testenv('CA') } });
    await expect(client.login()).resolves.toBeUndefined();
    await client.close();
  });

  it('accepts any certificate when the endpoint is marked insecure', async () => {
    const client = aClient({ config: { caFile: undefined, insecure: true } });
    await expect(client.login()).resolves.toBeUndefined();
    await client.close();
  });

  it('times out a call that gets no answer and surfaces a TimeoutError after the retries', async () => {
    const client = aClient({ via: 'proxy', deps: { requestTimeoutMs: 200, retry: { attempts: 2, baseDelayMs: 10 } } });
    await client.login();
    await proxyControl('/faults', { delay: { count: 2, ms: 2000 } });
    const error = await failure(client.powerState('VM-DOCKER-APP-A-RBX'));
    expect(error).toBeInstanceOf(TimeoutError);
    await client.close();
  });

  it('retries a 5xx answer and succeeds when the server recovers', async () => {
    const client = aClient({ via: 'proxy' });
    await client.login();
    await proxyControl('/reset', {});
    await proxyControl('/faults', { fail: { count: 2, status: 503 } });
    await expect(client.findVm('VM-DOCKER-APP-A-RBX')).resolves.toMatchObject({ type: 'VirtualMachine' });
    expect(await proxyControl('/stats')).toEqual({ requests: 3 });
    await client.close();
  });

  it('surfaces a TransientError when 5xx answers outlast the retries', async () => {
    const client = aClient({ via: 'proxy', deps: { retry: { attempts: 3, baseDelayMs: 10 } } });
    await client.login();
    await proxyControl('/faults', { fail: { count: 10, status: 502 } });
    const error = await failure(client.powerState('VM-DOCKER-APP-A-RBX'));
    expect(error).toBeInstanceOf(TransientError);
    expect(error.message).toMatch(/HTTP 502/);
    await proxyControl('/reset', {});
    await client.close();
  });

  it('logs in again when the session was terminated by someone else', async () => {
    const client = aClient({ via: 'proxy' });
    const [vm] = await someVms('poweredOff');
    await expect(client.powerState(vm)).resolves.toBe('poweredOff');
    expect(await proxyControl('/expire-sessions', {})).toEqual({ expired: 1 });
    const before = logLines.length;
    await expect(client.ensureRunning(vm)).resolves.toMatchObject({ after: 'poweredOn' });
    expect(logLines.slice(before).join('\n')).toMatch(/session no longer valid; logging in again/);
    await client.close();
  });

  it('never puts the password in a log line or an error', () => {
    const password = testenv('VCENTER_PASSWORD');
    expect(errors.length).toBeGreaterThan(0);
    const seen = [...logLines, ...errors.map((e) => `${String(e)} ${JSON.stringify(e)} ${(e as DriverError).detail ?? ''} ${(e as Error).stack ?? ''}`)].join('\n');
    expect(seen).not.toContain(password);
    expect(seen).not.toContain('not-the-password');
  });
});
