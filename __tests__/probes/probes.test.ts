import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { probeHttp, probeMysql, probeSshCommand, probeTcp } from '../../hooks/drivers/probes';
import { jsonSubsetMismatch } from '../../hooks/drivers/probes/http';
import { Secret } from '../../hooks/drivers/common/secret';
import { freePort } from '../../testenv/core';
import { testenvSshTarget } from '../support/ssh-target';
import { testenv } from '../support/testenv';

describe('TCP probe', () => {
  it('succeeds on an open port', async () => {
    const result = await probeTcp({ host: '127.0.0.1', port: Number(testenv('MYSQL_PORT')) });
    expect(result.ok).toBe(true);
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('reports a closed port without throwing', async () => {
    const port = await freePort();
    expect(await probeTcp({ host: '127.0.0.1', port })).toMatchObject({ ok: false, detail: `tcp 127.0.0.1:${port}: ECONNREFUSED` });
  });

  it('throws on a port that cannot exist (misuse)', () => {
    expect(() => probeTcp({ host: '127.0.0.1', port: 70000 })).toThrow(RangeError);
  });
});

describe('HTTP probe (through the real HAProxy)', () => {
  const url = () => testenv('HAPROXY_URL');

  it('succeeds when status, JSON subset and text match', async () => {
    const result = await probeHttp({ url: url(), expectStatus: 200, expectJson: { status: 'ok' }, expectText: '"site"' });
    expect(result).toMatchObject({ ok: true });
  });

  it('reports a status mismatch', async () => {
    expect(await probeHttp({ url: url(), expectStatus: 204 })).toMatchObject({ ok: false, detail: `GET ${url()}/: status 200, expected 204` });
  });

  it('reports the first JSON field that differs', async () => {
    const result = await probeHttp({ url: url(), expectJson: { status: 'degraded' } });
    expect(result).toMatchObject({ ok: false, detail: `GET ${url()}/: $.status: expected "degraded", got "ok"` });
  });

  it('reports missing text', async () => {
    expect((await probeHttp({ url: url(), expectText: 'maintenance' })).detail).toContain('body does not contain "maintenance"');
  });
});

describe('HTTPS probe TLS policy (a server with the testenv CA)', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer({ cert: readFileSync(testenv('TLS_CERT')), key: readFileSync(testenv('TLS_KEY')) }, (_req, res) => res.end('{"ok":true}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('refuses an unknown CA by default', async () => {
    expect((await probeHttp({ url })).detail).toMatch(/TLS verification failed/);
  });

  it('trusts the CA given in caFile', async () => {
    expect(await probeHttp({ url, caFile: testenv('CA'), expectJson: { ok: true } })).toMatchObject({ ok: true });
  });

  it('skips verification only when the check says insecure', async () => {
    expect(await probeHttp({ url, insecure: true })).toMatchObject({ ok: true });
  });
});

describe('JSON subset matching', () => {
  it('ignores fields the check does not name and compares nested values', () => {
    expect(jsonSubsetMismatch({ db: { up: true } }, { db: { up: true, ms: 3 }, version: '1' }, '$')).toBeUndefined();
    expect(jsonSubsetMismatch({ db: { up: true } }, { db: { up: false } }, '$')).toBe('$.db.up: expected true, got false');
    expect(jsonSubsetMismatch({ nodes: [1, 2] }, { nodes: [1] }, '$')).toBe('$.nodes: expected an array of 2, got [1]');
  });
});

describe('MySQL probe (real MariaDB)', () => {
  const base = () => ({ host: '127.0.0.1', port: Number(testenv('MYSQL_PORT')), user: testenv('MYSQL_USER'), password: new Secret(testenv('MYSQL_PASSWORD')) });

  it('passes SELECT 1 and finds the expected schema', async () => {
    expect(await probeMysql({ ...base(), schemas: [testenv('MYSQL_DATABASE')] })).toMatchObject({ ok: true, missingSchemas: [] });
  });

  it('reports a missing schema by name', async () => {
    const result = await probeMysql({ ...base(), schemas: ['app_a', 'app_billing'] });
    expect(result).toMatchObject({ ok: false, missingSchemas: ['app_billing'] });
    expect(result.detail).toContain('missing schema app_billing');
  });

  it('reports a wrong password as access denied', async () => {
    const result = await probeMysql({ ...base(), password: new Secret('not-the-password') });
    expect(result).toMatchObject({ ok: false });
    expect(result.detail).toContain('access denied');
  });

  it('reports a closed port', async () => {
    expect((await probeMysql({ ...base(), port: await freePort() })).detail).toContain('connection refused');
  });
});

describe('SSH command probe (real OpenSSH)', () => {
  it('captures exit code, stdout and stderr', async () => {
    const result = await probeSshCommand({ target: testenvSshTarget(), command: 'echo drained; echo "2 jobs waited" >&2; exit 0' });
    expect(result).toMatchObject({ ok: true, exitCode: 0, stdout: 'drained\n', stderr: '2 jobs waited\n', timedOut: false });
  });

  it('fails on an unexpected exit code and quotes stderr', async () => {
    const result = await probeSshCommand({ target: testenvSshTarget(), command: 'echo "compose: no such service" >&2; exit 3' });
    expect(result).toMatchObject({ ok: false, exitCode: 3, detail: expect.stringContaining('exit 3, expected exit 0: compose: no such service') });
  });

  it('accepts the exit code the check expects', async () => {
    expect(await probeSshCommand({ target: testenvSshTarget(), command: 'exit 4', expectExitCode: 4 })).toMatchObject({ ok: true, exitCode: 4 });
  });

  it('kills a command that outlives its timeout, with its children', async () => {
    const marker = `pra-probe-${process.pid}-${Date.now()}`;
    const result = await probeSshCommand({ target: testenvSshTarget(), command: `sh -c 'sleep 30; echo ${marker}' & wait`, timeoutMs: 300 });
    expect(result).toMatchObject({ ok: false, timedOut: true, exitCode: null });
    expect(result.detail).toContain('(killed)');
    // [p]ra-...: a pattern that does not match the pgrep command line itself.
    const left = await probeSshCommand({ target: testenvSshTarget(), command: `pgrep -f '[p]${marker.slice(1)}' || true` });
    expect(left.stdout).toBe('');
  });

  it('reports a refused key without throwing', async () => {
    const result = await probeSshCommand({ target: testenvSshTarget({ key: 'wrong' }), command: 'true' });
    expect(result).toMatchObject({ ok: false, timedOut: false });
    expect(result.detail).toContain('public key refused');
  });
});
