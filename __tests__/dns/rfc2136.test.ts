import { createServer, connect, type Server } from 'node:net';
import { AuthError, PermanentError } from '../../hooks/drivers/common/errors';
import { pointTo } from '../../hooks/drivers/dns/index';
import { holdSecondaryTransfers, releaseSecondaryTransfers } from '../../testenv/bind-control';
import { nameservers, RBX_IP, rfc2136Dns, SBG_IP, uniqueName, visible } from '../support/dns-testenv';
import { testenv } from '../support/testenv';

/** RFC 2136 + TSIG against the testenv BIND (primary + secondary following by NOTIFY/IXFR). */

/** A TCP relay to the BIND primary that flips one byte of the answer's MAC: a forged answer. */
function forgingRelay(): Promise<{ server: Server; address: string }> {
  const [host, port] = testenv('DNS_PRIMARY').split(':');
  // allowHalfOpen: the driver half-closes after its request and still reads the answer.
  const server = createServer({ allowHalfOpen: true }, (client) => {
    const upstream = connect({ host, port: Number(port) });
    client.pipe(upstream);
    let answer = Buffer.alloc(0);
    upstream.on('data', (chunk: Buffer) => {
      answer = Buffer.concat([answer, chunk]);
      if (answer.length >= 2 && answer.length >= 2 + answer.readUInt16BE(0)) {
        // The TSIG record ends with original id, error, other length (6 bytes): the MAC ends just before.
        answer[answer.length - 7] ^= 0xff;
        client.end(answer);
        upstream.destroy();
      }
    });
    upstream.on('error', () => client.destroy());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, address: `127.0.0.1:${(server.address() as { port: number }).port}` })));
}

describe('RFC 2136 DNS backend', () => {
  it('switches a record and every nameserver answers the new address', async () => {
    const dns = rfc2136Dns();
    const name = uniqueName('rfc');
    await dns.applyChanges(pointTo(name, RBX_IP, 60));
    const verification = await visible(dns, { name, addresses: [RBX_IP] });
    expect(verification.ok).toBe(true);
    expect(verification.answers.map((a) => a.addresses)).toEqual([[RBX_IP], [RBX_IP]]);
  });

  it('reads the record back from the primary', async () => {
    const dns = rfc2136Dns();
    const name = uniqueName('rfc');
    await dns.applyChanges(pointTo(name, SBG_IP, 120));
    expect(await dns.records(name)).toEqual([{ name, type: 'A', ttlSeconds: 120, targets: [SBG_IP] }]);
  });

  it('deletes a record set', async () => {
    const dns = rfc2136Dns();
    const name = uniqueName('rfc');
    await dns.applyChanges(pointTo(name, SBG_IP, 60));
    await dns.applyChanges({ delete: [{ name, type: 'A', ttlSeconds: 60, targets: [] }] });
    expect(await dns.records(name)).toEqual([]);
  });

  it('refuses an update signed with a wrong key with an AuthError', async () => {
    const dns = rfc2136Dns({ secret: Buffer.alloc(32, 7).toString('base64') });
    await expect(dns.applyChanges(pointTo(uniqueName('rfc'), RBX_IP, 60))).rejects.toThrow(AuthError);
  });

  it('leaves the zone unchanged when the key is wrong', async () => {
    const name = uniqueName('rfc');
    await rfc2136Dns({ secret: Buffer.alloc(32, 7).toString('base64') }).applyChanges(pointTo(name, RBX_IP, 60)).catch(() => undefined);
    expect(await rfc2136Dns().records(name)).toEqual([]);
  });

  it('rejects an answer whose TSIG signature was forged', async () => {
    const relay = await forgingRelay();
    try {
      const dns = rfc2136Dns({ server: relay.address });
      const failure = dns.applyChanges(pointTo(uniqueName('rfc'), RBX_IP, 60));
      await expect(failure).rejects.toThrow(PermanentError);
      await expect(failure).rejects.toThrow(/signature does not verify/);
    } finally {
      relay.server.close();
    }
  });

  describe('while the secondary lags behind', () => {
    const zone = () => testenv('DNS_LAG_ZONE');
    afterEach(() => releaseSecondaryTransfers(zone()));

    it('fails verification and names the nameserver still answering the old address', async () => {
      const dns = rfc2136Dns({ zone: zone() });
      const name = uniqueName('lag');
      await dns.applyChanges(pointTo(name, SBG_IP, 60));
      await visible(dns, { name, addresses: [SBG_IP] });
      holdSecondaryTransfers(zone());
      await dns.applyChanges(pointTo(name, RBX_IP, 60));
      await new Promise((r) => setTimeout(r, 300)); // well past a NOTIFY + IXFR (~20 ms here)
      const verification = await dns.verify({ name, addresses: [RBX_IP] });
      const secondary = nameservers()[1];
      expect(verification.ok).toBe(false);
      expect(verification.lagging).toEqual([`${secondary.host}:${secondary.port}`]);
      expect(verification.answers[1].addresses).toEqual([SBG_IP]);
    });

    it('succeeds once the secondary caught up', async () => {
      const dns = rfc2136Dns({ zone: zone() });
      const name = uniqueName('lag');
      holdSecondaryTransfers(zone());
      await dns.applyChanges(pointTo(name, RBX_IP, 60));
      releaseSecondaryTransfers(zone());
      expect((await visible(dns, { name, addresses: [RBX_IP] })).ok).toBe(true);
    });
  });
});
