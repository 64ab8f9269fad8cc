/**
 * One interface for every load balancer backend (HAProxy runtime API, OVHcloud IPLB).
 * Each site has one server (or farm member) in the balancer; switching sends all traffic to one site.
 */
export type LbServerState = 'ready' | 'drain' | 'maint';

export interface LbServer {
  readonly site: string;
  /** The backend's own name or id of the server. */
  readonly server: string;
  readonly state: LbServerState;
  readonly weight: number;
}

export interface LbVerification {
  readonly ok: boolean;
  /** What was read back, one line per server, for the journal and the operator. */
  readonly observed: readonly string[];
}

export interface LoadBalancer {
  /** Current state of each site's server, read from the balancer itself. */
  servers(): Promise<LbServer[]>;
  /** Sets one site's server state (and optionally weight); idempotent. */
  setServer(site: string, state: LbServerState, weight?: number): Promise<void>;
  /** Sends all traffic to `site`: its server ready, every other site's server in maint. */
  switchTo(site: string): Promise<void>;
  /** Reads the state back: ok only when `site` is ready and every other site's server is not. */
  verify(site: string): Promise<LbVerification>;
}
