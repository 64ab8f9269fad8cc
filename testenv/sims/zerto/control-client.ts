import type { TopologyInput } from '../../../topology';

/**
 * A client of the Zerto simulator's control endpoint (control.ts; the testenv publishes its URL as
 * PRA_TESTENV_ZERTO_CONTROL_URL): JSON in and out, and any answer but 2xx thrown with its body.
 */
export type ZertoControl = <T = unknown>(method: string, path: string, body?: unknown) => Promise<T>;

/** Calls on `/instances...` of the endpoint at `controlUrl`, or below `prefix` (one instance's resources). */
export function zertoControl(controlUrl: string, prefix = ''): ZertoControl {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${controlUrl}${prefix}${path}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`zerto simulator control: ${method} ${prefix}${path} answered ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
}

/** One simulator instance's control. */
export interface InstanceHandle {
  readonly id: string;
  /** Calls on this instance's resources (`/reset`, `/faults`, `/delays`, `/state`...). */
  readonly control: ZertoControl;
  /** Deletes the instance; a no-op for the daemon's default instance. */
  remove(): Promise<void>;
}

/** An instance created through the control endpoint, with its own ZVM API ports. */
export interface ZertoSimInstance extends InstanceHandle {
  /** Site name -> base URL of that site's ZVM API. */
  readonly urls: Readonly<Record<string, string>>;
}

/** What `POST /instances` takes. */
export interface InstanceRequest {
  readonly activeSite?: string;
  readonly withoutVpgs?: readonly string[];
  /** Power VMs for real in the sites' vCenters. */
  readonly vcenter?: boolean;
  /** Topology site name -> the testenv vCenter simulator's site holding its VMs. @default the same name */
  readonly vcenterSites?: Readonly<Record<string, string>>;
  /** The VMs are in each site's own datacenter of the topology, on its cluster, datastore and network (testenv/vcsim). @default false */
  readonly ownDatacenters?: boolean;
  /** A topology file path or a topology, for VMs and VPGs other than the daemon's. */
  readonly topology?: string | TopologyInput;
  /** How recoveries name the recovered VMs (testenv/sims/zerto/world.ts). @default 'protected' */
  readonly recoveredNames?: 'protected' | 'peer';
}

/** Creates an isolated instance. */
export async function createInstance(controlUrl: string, request: InstanceRequest = {}): Promise<ZertoSimInstance> {
  const created = await zertoControl(controlUrl)<{ id: string; urls: Record<string, string> }>('POST', '/instances', request);
  const control = zertoControl(controlUrl, `/instances/${created.id}`);
  return { ...created, control, remove: async () => void (await control('DELETE', '')) };
}

/** The daemon's default instance (the example topology's ZVMs, at PRA_TESTENV_ZERTO_<SITE>_URL). */
export function defaultInstance(controlUrl: string): InstanceHandle {
  return { id: 'default', control: zertoControl(controlUrl, '/instances/default'), remove: async () => undefined };
}
