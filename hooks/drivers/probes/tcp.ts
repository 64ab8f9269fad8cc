import { connect } from 'node:net';
import { monotonicClock, timed, type Clock, type ProbeResult } from './result';

export interface TcpProbe {
  readonly host: string;
  readonly port: number;
  /** @default 3000 */
  readonly timeoutMs?: number;
}

/** Succeeds when a TCP connection to host:port opens within the timeout. */
export function probeTcp(probe: TcpProbe, clock: Clock = monotonicClock): Promise<ProbeResult> {
  if (!Number.isInteger(probe.port) || probe.port < 1 || probe.port > 65535) throw new RangeError(`tcp probe: port ${probe.port} is not a TCP port (1-65535)`);
  const timeoutMs = probe.timeoutMs ?? 3000;
  const target = `${probe.host}:${probe.port}`;
  return timed(
    clock,
    () =>
      new Promise<Omit<ProbeResult, 'latencyMs'>>((resolve) => {
        const socket = connect({ host: probe.host, port: probe.port });
        socket.setTimeout(timeoutMs, () => {
          socket.destroy();
          resolve({ ok: false, detail: `tcp ${target}: no connection within ${timeoutMs} ms` });
        });
        socket.once('connect', () => {
          socket.destroy();
          resolve({ ok: true, detail: `tcp ${target}: open` });
        });
        socket.once('error', (error: NodeJS.ErrnoException) => resolve({ ok: false, detail: `tcp ${target}: ${error.code ?? error.message}` }));
      }),
    (error) => ({ ok: false, detail: `tcp ${target}: ${error.message}` }),
  );
}
