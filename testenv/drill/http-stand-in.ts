import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Topology } from '../../topology';

/**
 * The application's health endpoints for a drill: one local HTTP server answering each of the topology's
 * HTTP checks on `/<check name>` with the status, JSON fields and text that check expects, as the real
 * application would once it runs on the target site.
 */
export async function startHttpStandIn(checks: Topology['checks']['http']): Promise<{ url: string; close(): Promise<void> }> {
  const byPath = new Map(checks.map((c) => [`/${encodeURIComponent(c.name)}`, c]));
  const server: Server = createServer((req, res) => {
    const check = byPath.get(req.url ?? '');
    if (!check) {
      res.writeHead(404).end();
      return;
    }
    const body = JSON.stringify({ ...(check.expectJson ?? {}), ...(check.expectText === undefined ? {} : { text: check.expectText }) });
    res.writeHead(check.expectStatus, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
