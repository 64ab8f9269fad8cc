import { createServer } from 'node:http';

/**
 * One tiny HTTP listener per site behind the test HAProxy: every request is answered with the site's
 * name (`{"site":"rbx"}`), so a test sees where the balancer sent it.
 * Usage: main.js SITE=PORT [SITE=PORT...]
 */
function main(argv: string[]): void {
  for (const pair of argv) {
    const [site, port] = pair.split('=');
    if (!site || !/^\d+$/.test(port ?? '')) throw new Error(`site-web: bad argument ${pair}; expected SITE=PORT`);
    createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ site, status: 'ok' }));
    }).listen(Number(port), '127.0.0.1');
  }
}

main(process.argv.slice(2));
