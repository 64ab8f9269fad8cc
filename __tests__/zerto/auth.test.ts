import { AuthError, PermanentError } from '../../hooks/drivers/common/errors';
import { Secret } from '../../hooks/drivers/common/secret';
import { ZertoClient } from '../../hooks/drivers/zerto/client';
import type { ZertoEndpoint } from '../../hooks/drivers/zerto/config';
import { Exposure } from '../support/secret-scan';
import { testenv } from '../support/testenv';
import { quickRetry, recordRejection, simEndpoint, startSim, testSecrets, type SimHandle } from './sim';

describe('zerto driver login', () => {
  const exposure = new Exposure();
  const rejection = recordRejection(exposure);
  let sim: SimHandle;
  const clients: ZertoClient[] = [];
  const client = (endpoint: Partial<ZertoEndpoint> = {}) => {
    const c = new ZertoClient('rbx', simEndpoint(sim, 'rbx', endpoint), { log: exposure.log, retry: quickRetry });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    sim = await startSim();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await sim.close();
  });

  it('logs in with a Keycloak password grant and lists the VPGs', async () => {
    const vpgs = await client().get('/v1/vpgs');
    expect(vpgs).toHaveLength(2);
  });

  it('logs in with a Keycloak client_credentials grant', async () => {
    const c = client({ grant: 'client_credentials', username: testenv('ZERTO_CLIENT_ID'), password: new Secret(testenv('ZERTO_CLIENT_SECRET')) });
    expect(await c.get('/v1/vpgs')).toHaveLength(2);
  });

  it('logs in with a Windows ZVM session and logs out', async () => {
    const c = client({ auth: 'session' });
    expect(await c.get('/v1/vpgs')).toHaveLength(2);
    await c.close();
    expect((await sim.state()).requests.some((r) => r.method === 'DELETE' && r.path === '/v1/session' && r.status === 200)).toBe(true);
  });

  it.each(['keycloak', 'session'] as const)('refuses a wrong password with an AuthError naming the user (%s)', async (auth) => {
    const c = client({ auth, password: new Secret('not-the-password') });
    await expect(rejection(c.get('/v1/vpgs'))).rejects.toThrow(new AuthError('zerto rbx', 'login refused for user pra-automation: check the username and the password secret'));
  });

  it('refuses the ZVM certificate without caFile or insecure', async () => {
    const c = client({ caFile: undefined });
    await expect(rejection(c.get('/v1/vpgs'))).rejects.toThrow(PermanentError);
    await expect(rejection(c.get('/v1/vpgs'))).rejects.toThrow(/TLS verification failed .* add its CA with caFile, or set insecure: true/);
  });

  it('accepts the ZVM certificate with insecure: true', async () => {
    expect(await client({ caFile: undefined, insecure: true }).get('/v1/vpgs')).toHaveLength(2);
  });

  it.each(['keycloak', 'session'] as const)('logs in again when the ZVM ends the session or token (%s)', async (auth) => {
    const c = client({ auth });
    await c.get('/v1/vpgs');
    await sim.control('POST', '/auth/expire');
    expect(await c.get('/v1/vpgs')).toHaveLength(2);
  });

  it('renews the access token with the refresh token before it expires', async () => {
    let now = Date.now();
    const c = new ZertoClient('rbx', simEndpoint(sim, 'rbx'), { log: exposure.log, retry: quickRetry, now: () => now });
    clients.push(c);
    await c.get('/v1/vpgs');
    const before = (await sim.state()).requests.length;
    now += 290_000; // the simulator's tokens live 300 s: inside the renewal margin
    await c.get('/v1/vpgs');
    const after = (await sim.state()).requests.slice(before);
    expect(after.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['POST /auth/realms/zerto/protocol/openid-connect/token 200', 'GET /v1/vpgs 200']);
  });

  it('leaves none of the test secrets in a log line or an error', () => {
    expect(exposure.lines.length).toBeGreaterThan(5);
    expect(exposure.leaked(testSecrets())).toEqual([]);
  });
});
