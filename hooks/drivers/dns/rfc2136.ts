import { connect } from 'node:net';
import { AuthError, PermanentError, TransientError } from '../common/errors';
import { withRetry, type Sleep } from '../common/retry';
import { fqdn, type DnsChanges, type DnsProvider, type DnsRecord, type DnsVerification, type ExpectedRecord } from './index';
import { randomMessageId, sign, verifyResponse, wireName, type TsigKey } from './tsig';
import { AuthoritativeCheck, type NameserverAddress } from './verify';

/**
 * RFC 2136 dynamic updates signed with TSIG (RFC 8945), over TCP to the zone's primary. Written on
 * node:crypto rather than shelling out to `nsupdate`: the key never lands in a file or a command line,
 * errors come back typed (NOTAUTH/BADKEY -> AuthError), and the answer's signature is checked here.
 * Each upsert deletes the set then adds the new targets in ONE message: the server applies it atomically.
 */

const OPCODE_UPDATE = 5;
const TYPE_A = 1;
const TYPE_SOA = 6;
const CLASS_IN = 1;
const CLASS_ANY = 255;
const RCODES: Record<number, string> = { 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED', 6: 'YXDOMAIN', 7: 'YXRRSET', 8: 'NXRRSET', 9: 'NOTAUTH', 10: 'NOTZONE' };

function record(name: Buffer, type: number, klass: number, ttl: number, rdata: Buffer): Buffer {
  const head = Buffer.alloc(10);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(klass, 2);
  head.writeUInt32BE(ttl, 4);
  head.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([name, head, rdata]);
}

function ipv4(address: string): Buffer {
  return Buffer.from(address.split('.').map(Number));
}

/** The unsigned UPDATE message: zone section, no prerequisites, the update section. */
function updateMessage(zone: string, changes: DnsChanges, id: number): Buffer {
  const updates: Buffer[] = [];
  for (const r of [...(changes.delete ?? []), ...(changes.upsert ?? [])]) {
    updates.push(record(wireName(fqdn(r.name, zone)), TYPE_A, CLASS_ANY, 0, Buffer.alloc(0)));
  }
  for (const r of changes.upsert ?? []) {
    for (const target of r.targets) updates.push(record(wireName(fqdn(r.name, zone)), TYPE_A, CLASS_IN, r.ttlSeconds, ipv4(target)));
  }
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(OPCODE_UPDATE << 11, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(updates.length, 8);
  const zoneSection = Buffer.concat([wireName(zone), Buffer.from([0, TYPE_SOA, 0, CLASS_IN])]);
  return Buffer.concat([header, zoneSection, ...updates]);
}

/** One DNS message over TCP (2-byte length prefix both ways). */
function exchange(server: NameserverAddress, message: Buffer, timeoutMs: number, system: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: server.host, port: server.port });
    let received = Buffer.alloc(0);
    socket.setTimeout(timeoutMs, () => socket.destroy(new TransientError(system, `no answer from ${server.host}:${server.port} within ${timeoutMs} ms`)));
    socket.on('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(message.length);
      socket.end(Buffer.concat([length, message]));
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
        socket.destroy();
        resolve(received.subarray(2, 2 + received.readUInt16BE(0)));
      }
    });
    socket.on('error', (e: NodeJS.ErrnoException) =>
      reject(e instanceof TransientError ? e : new TransientError(system, `cannot reach ${server.host}:${server.port} (${e.code ?? e.message})`)),
    );
    socket.on('close', () => reject(new TransientError(system, `${server.host}:${server.port} closed the connection without an answer`)));
  });
}

export interface Rfc2136Config {
  readonly zone: string;
  /** The primary that takes updates. */
  readonly server: NameserverAddress;
  readonly key: TsigKey;
  /** Servers `verify` asks; resolved from the zone's NS records when absent. */
  readonly nameservers?: readonly NameserverAddress[];
  /** @default 5000 */
  readonly timeoutMs?: number;
}

export interface Rfc2136Deps {
  /** Seconds since the epoch; TSIG time signed. @default Date.now()/1000 */
  readonly clock?: () => number;
  readonly sleep?: Sleep;
  readonly log?: (line: string) => void;
}

export class Rfc2136Dns implements DnsProvider {
  readonly system = 'dns rfc2136';
  readonly zone: string;
  private readonly check: AuthoritativeCheck;

  constructor(
    private readonly config: Rfc2136Config,
    private readonly deps: Rfc2136Deps = {},
  ) {
    this.zone = config.zone;
    this.check = new AuthoritativeCheck(this.system, config.zone, { nameservers: config.nameservers });
  }

  async records(name: string): Promise<DnsRecord[]> {
    const found = await this.check.addresses(this.config.server, name);
    if (!found.length) return [];
    return [{ name, type: 'A', ttlSeconds: Math.min(...found.map((f) => f.ttl)), targets: found.map((f) => f.address) }];
  }

  async applyChanges(changes: DnsChanges): Promise<void> {
    await withRetry(() => this.sendUpdate(changes), { sleep: this.deps.sleep, attempts: 3 });
    const names = [...(changes.upsert ?? []), ...(changes.delete ?? [])].map((r) => r.name).join(', ');
    this.deps.log?.(`${this.system}: ${this.zone}: updated ${names} on ${this.config.server.host}:${this.config.server.port}`);
  }

  verify(expected: ExpectedRecord): Promise<DnsVerification> {
    return this.check.verify(expected);
  }

  private now(): number {
    return this.deps.clock?.() ?? Date.now() / 1000;
  }

  private async sendUpdate(changes: DnsChanges): Promise<void> {
    const { key, server } = this.config;
    const id = randomMessageId();
    const signed = sign(updateMessage(this.zone, changes, id), key, this.now());
    const answer = await exchange(server, signed.wire, this.config.timeoutMs ?? 5000, this.system);
    if (answer.length < 12 || answer.readUInt16BE(0) !== id) throw new PermanentError(this.system, 'answer does not match the update (wrong message id)');
    const rcode = answer[3] & 0x0f;
    const tsig = verifyResponse(answer, key, signed.mac, this.now());
    const where = `update of ${this.zone} on ${server.host}:${server.port}`;
    if (tsig.kind === 'tsig-error') throw new AuthError(this.system, `${where} refused: ${tsig.error} for key ${key.name}; check the key name, algorithm and secret, and the clocks`);
    if (rcode === 9 || rcode === 5) throw new AuthError(this.system, `${where} refused (${RCODES[rcode]}); the server's update-policy must grant key ${key.name}`);
    if (tsig.kind !== 'valid') {
      // An unsigned or badly signed answer cannot be trusted either way: the update may or may not be in.
      const why = tsig.kind === 'invalid' ? tsig.reason : 'answer is not signed';
      throw new PermanentError(this.system, `${where}: the answer's TSIG signature does not verify (${why}); the answer may be forged; check the zone by hand`);
    }
    if (rcode === 2) throw new TransientError(this.system, `${where} failed (SERVFAIL)`);
    if (rcode !== 0) throw new PermanentError(this.system, `${where} failed (${RCODES[rcode] ?? `rcode ${rcode}`})`);
  }
}
