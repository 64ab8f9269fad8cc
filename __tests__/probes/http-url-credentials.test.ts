import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { probeHttp } from '../../hooks/drivers/probes';
import { freePort } from '../../testenv/core';
import { testenv } from '../support/testenv';

describe('HTTP probe of a URL with credentials (a server with the testenv CA)', () => {
  let server: Server;
  let port: number;
  const authorizations: (string | undefined)[] = [];
  beforeAll(async () => {
    server = createServer({ cert: readFileSync(testenv('TLS_CERT')), key: readFileSync(testenv('TLS_KEY')) }, (req, res) => {
      authorizations.push(req.headers.authorization);
      res.statusCode = req.url === '/down' ? 503 : 200;
      res.end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('still sends the credentials but never shows the password in the detail', async () => {
    const result = await probeHttp({ url: `https://mon:s3cret@127.0.0.1:${port}/`, insecure: true });
    expect(result).toMatchObject({ ok: true, detail: `GET https://127.0.0.1:${port}/: 200 as expected` });
    expect(result.detail).not.toContain('s3cret');
    expect(authorizations.at(-1)).toBe(`Basic ${Buffer.from('mon:s3cret').toString('base64')}`);
  });

  it('keeps the password out of a mismatch', async () => {
    const result = await probeHttp({ url: `https://mon:s3cret@127.0.0.1:${port}/down`, insecure: true });
    expect(result).toMatchObject({ ok: false, detail: `GET https://127.0.0.1:${port}/down: status 503, expected 200` });
    expect(result.detail).not.toContain('s3cret');
  });

  it('keeps the password out of a TLS failure', async () => {
    const result = await probeHttp({ url: `https://mon:s3cret@127.0.0.1:${port}/` });
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(/TLS verification failed/);
    expect(result.detail).not.toContain('s3cret');
  });

  it('keeps the password out of a refused connection', async () => {
    const closed = await freePort();
    const result = await probeHttp({ url: `https://mon:s3cret@127.0.0.1:${closed}/`, insecure: true });
    expect(result.ok).toBe(false);
    expect(result.detail).not.toContain('s3cret');
    expect(result.detail).toContain(`GET https://127.0.0.1:${closed}/:`);
  });
});
