/** Health probes (TCP, HTTP(S), MySQL, SSH command): see result.ts for the shape every probe returns. */
export { monotonicClock, timed, type Clock, type ProbeResult } from './result';
export { probeTcp, type TcpProbe } from './tcp';
export { probeHttp, type HttpProbe } from './http';
export { probeMysql, type MysqlProbe, type MysqlProbeResult } from './mysql';
export { probeSshCommand, type SshCommandProbe, type SshCommandProbeResult } from './ssh';
