import type { Topology } from '../../../topology/schema';
import { ovhClientFromTopology } from '../ovh/from-topology';
import { HaproxyLoadBalancer } from './haproxy';
import type { LoadBalancer } from './index';
import { OvhIplb } from './ovh-iplb';

/**
 * The load balancer a topology's `traffic.lb` declares (HAProxy runtime API or OVHcloud IPLB), its
 * secrets read now from env or file; undefined when the topology moves traffic by DNS only.
 */
export function loadBalancerFromTopology(
  topology: Topology,
  env: NodeJS.ProcessEnv = process.env,
  deps: { readonly log?: (line: string) => void } = {},
): LoadBalancer | undefined {
  const lb = topology.traffic.lb;
  switch (lb?.provider) {
    case undefined:
      return undefined;
    case 'haproxy':
      return new HaproxyLoadBalancer({ adminSocket: lb.adminSocket, backend: lb.backend, servers: lb.servers });
    case 'ovh-iplb':
      return new OvhIplb(
        { serviceName: lb.serviceName, farmId: lb.farmId, servers: lb.servers },
        { ovh: ovhClientFromTopology('lb ovh-iplb', 'traffic.lb', lb, env), log: deps.log },
      );
  }
}
