import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import type { Secret } from '../common/secret';
import { monotonicClock, timed, type Clock, type ProbeResult } from './result';

export interface MysqlProbe {
  readonly host: string;
  /** @default 3306 */
  readonly port?: number;
  readonly user: string;
  readonly password: Secret;
  /** Schemas (databases) the application needs; each missing one is reported by name. */
  readonly schemas?: readonly string[];
  /** Bound of connect + queries. @default 5000 */
  readonly timeoutMs?: number;
}

export interface MysqlProbeResult extends ProbeResult {
  /** The expected schemas this user cannot see (absent, or not granted to it). */
  readonly missingSchemas: readonly string[];
}

/**
 * Connects as the application's user, runs `SELECT 1`, then looks for the expected schemas in
 * information_schema: from that user's point of view, so a schema it has no grant on counts as missing.
 */
export function probeMysql(probe: MysqlProbe, clock: Clock = monotonicClock): Promise<MysqlProbeResult> {
  const port = probe.port ?? 3306;
  const target = `mysql ${probe.user}@${probe.host}:${port}`;
  const expected = [...(probe.schemas ?? [])];
  return timed(
    clock,
    async () => {
      let connection: Connection | undefined;
      try {
        connection = await createConnection({
          host: probe.host,
          port,
          user: probe.user,
          password: probe.password.reveal(),
          connectTimeout: probe.timeoutMs ?? 5000,
        });
        const timeout = probe.timeoutMs ?? 5000;
        await connection.query({ sql: 'SELECT 1', timeout });
        if (!expected.length) return { ok: true, detail: `${target}: SELECT 1 ok`, missingSchemas: [] };
        const [rows] = await connection.query<RowDataPacket[]>({ sql: 'SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (?)', timeout }, [expected]);
        const present = new Set(rows.map((row) => String(row.name)));
        const missingSchemas = expected.filter((schema) => !present.has(schema));
        return missingSchemas.length
          ? { ok: false, detail: `${target}: missing schema${missingSchemas.length > 1 ? 's' : ''} ${missingSchemas.join(', ')}`, missingSchemas }
          : { ok: true, detail: `${target}: SELECT 1 ok, schemas ${expected.join(', ')} present`, missingSchemas };
      } finally {
        await connection?.end().catch(() => undefined);
      }
    },
    // Only the driver's error code: server messages can echo query text, never worth the risk.
    (error) => ({ ok: false, detail: `${target}: ${describeError(error)}`, missingSchemas: [] }),
  );
}

function describeError(error: Error & { code?: string }): string {
  switch (error.code) {
    case 'ER_ACCESS_DENIED_ERROR':
      return 'access denied (wrong user or password, or the account is not allowed from this host)';
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ETIMEDOUT':
    case 'PROTOCOL_SEQUENCE_TIMEOUT':
      return 'no answer within the timeout';
    default:
      return error.code ?? error.constructor.name;
  }
}
