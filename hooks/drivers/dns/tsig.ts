import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { Secret } from '../common/secret';

/**
 * TSIG (RFC 8945) signing of a DNS message and verification of the answer's signature, with HMAC-SHA256
 * or HMAC-SHA512 from node:crypto. No npm library signs TSIG; this is the part of the RFC a client needs:
 * one signed request, one signed response (no multi-message TCP continuations, which updates never use).
 */
export interface TsigKey {
  readonly name: string;
  readonly algorithm: 'hmac-sha256' | 'hmac-sha512';
  /** Base64, as in BIND's `key { secret "..." }`. */
  readonly secret: Secret;
}

const TSIG_TYPE = 250;
const CLASS_ANY = 255;
/** Seconds of clock difference both sides accept (RFC 8945 recommends 300). */
const FUDGE_SECONDS = 300;
/** TSIG error codes of RFC 8945 section 5.3, as the server puts them in its answer. */
const TSIG_ERRORS: Record<number, string> = { 16: 'BADSIG', 17: 'BADKEY', 18: 'BADTIME', 22: 'BADTRUNC' };

/** A domain name in canonical wire form (lowercase, uncompressed), as TSIG digests require. */
export function wireName(name: string): Buffer {
  const labels = name.toLowerCase().replace(/\.$/, '').split('.').filter(Boolean);
  return Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')])), Buffer.from([0])]);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}
function u48(n: number): Buffer {
  const b = Buffer.alloc(6);
  b.writeUIntBE(n, 0, 6);
  return b;
}

/** The "TSIG variables" of RFC 8945 section 4.3.3, digested after the message. */
function variables(key: TsigKey, timeSigned: number, error: number, other: Buffer): Buffer {
  return Buffer.concat([wireName(key.name), u16(CLASS_ANY), Buffer.alloc(4), wireName(key.algorithm), u48(timeSigned), u16(FUDGE_SECONDS), u16(error), u16(other.length), other]);
}

function hmac(key: TsigKey, ...parts: Buffer[]): Buffer {
  const mac = createHmac(key.algorithm === 'hmac-sha256' ? 'sha256' : 'sha512', Buffer.from(key.secret.reveal(), 'base64'));
  for (const p of parts) mac.update(p);
  return mac.digest();
}

export interface SignedMessage {
  readonly wire: Buffer;
  /** Kept to verify the answer, whose digest starts with the request's MAC. */
  readonly mac: Buffer;
}

/** Appends a TSIG record to `message` (whose ARCOUNT it increments). */
export function sign(message: Buffer, key: TsigKey, nowSeconds: number): SignedMessage {
  const timeSigned = Math.floor(nowSeconds);
  const mac = hmac(key, message, variables(key, timeSigned, 0, Buffer.alloc(0)));
  const originalId = message.readUInt16BE(0);
  const rdata = Buffer.concat([wireName(key.algorithm), u48(timeSigned), u16(FUDGE_SECONDS), u16(mac.length), mac, u16(originalId), u16(0), u16(0)]);
  const record = Buffer.concat([wireName(key.name), u16(TSIG_TYPE), u16(CLASS_ANY), Buffer.alloc(4), u16(rdata.length), rdata]);
  const wire = Buffer.concat([message, record]);
  wire.writeUInt16BE(wire.readUInt16BE(10) + 1, 10);
  return { wire, mac };
}

export function randomMessageId(): number {
  return randomInt(0, 0x10000);
}

/** What the server said about our signature, and whether its own signature on the answer holds. */
export type ResponseCheck =
  | { readonly kind: 'valid' }
  | { readonly kind: 'unsigned' }
  | { readonly kind: 'tsig-error'; readonly error: string }
  | { readonly kind: 'invalid'; readonly reason: string };

/** Offset just past the domain name at `offset` (a compression pointer ends it). */
function skipName(buf: Buffer, offset: number): number {
  for (;;) {
    const len = buf[offset];
    if (len === undefined) throw new RangeError('truncated name');
    if ((len & 0xc0) === 0xc0) return offset + 2;
    offset += 1 + len;
    if (len === 0) return offset;
  }
}

/** Offset of the last record of the message (where a TSIG record must be), or undefined when there is none. */
function lastRecordOffset(buf: Buffer): number | undefined {
  const counts = [4, 6, 8, 10].map((o) => buf.readUInt16BE(o));
  let offset = 12;
  for (let i = 0; i < counts[0]; i++) offset = skipName(buf, offset) + 4;
  const records = counts[1] + counts[2] + counts[3];
  let last: number | undefined;
  for (let i = 0; i < records; i++) {
    last = offset;
    offset = skipName(buf, offset);
    offset += 10 + buf.readUInt16BE(offset + 8);
  }
  if (offset !== buf.length) throw new RangeError('trailing bytes');
  return last;
}

/**
 * Checks the answer's TSIG record against the request's MAC (RFC 8945 section 5.3): MAC, key and
 * algorithm names, and time within the fudge. Anything malformed is `invalid`, never an exception.
 */
export function verifyResponse(response: Buffer, key: TsigKey, requestMac: Buffer, nowSeconds: number): ResponseCheck {
  try {
    const start = lastRecordOffset(response);
    if (start === undefined || response.readUInt16BE(10) === 0) return { kind: 'unsigned' };
    const nameEnd = skipName(response, start);
    if (response.readUInt16BE(nameEnd) !== TSIG_TYPE) return { kind: 'unsigned' };
    if (!response.subarray(start, nameEnd).equals(wireName(key.name))) return { kind: 'invalid', reason: 'signed with another key name' };
    let p = nameEnd + 10;
    const algEnd = skipName(response, p);
    if (!response.subarray(p, algEnd).equals(wireName(key.algorithm))) return { kind: 'invalid', reason: 'signed with another algorithm' };
    p = algEnd;
    const timeSigned = response.readUIntBE(p, 6);
    const macSize = response.readUInt16BE(p + 8);
    const mac = response.subarray(p + 10, p + 10 + macSize);
    p += 10 + macSize;
    const originalId = response.readUInt16BE(p);
    const error = response.readUInt16BE(p + 2);
    const other = response.subarray(p + 6, p + 6 + response.readUInt16BE(p + 4));
    if (error !== 0 && macSize === 0) return { kind: 'tsig-error', error: TSIG_ERRORS[error] ?? `TSIG error ${error}` };
    // The digest covers the answer as it was before the server appended its TSIG record.
    const unsigned = Buffer.from(response.subarray(0, start));
    unsigned.writeUInt16BE(originalId, 0);
    unsigned.writeUInt16BE(unsigned.readUInt16BE(10) - 1, 10);
    const expected = hmac(key, u16(requestMac.length), requestMac, unsigned, variables(key, timeSigned, error, other));
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return { kind: 'invalid', reason: 'MAC does not match' };
    if (Math.abs(nowSeconds - timeSigned) > FUDGE_SECONDS) return { kind: 'invalid', reason: 'signed outside the time fudge' };
    if (error !== 0) return { kind: 'tsig-error', error: TSIG_ERRORS[error] ?? `TSIG error ${error}` };
    return { kind: 'valid' };
  } catch {
    return { kind: 'invalid', reason: 'malformed answer' };
  }
}
