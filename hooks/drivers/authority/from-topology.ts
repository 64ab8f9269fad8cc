import { resolve } from 'node:path';
import type { Topology } from '../../../topology/schema';
import { EtcdAuthority } from './etcd';
import { FileAuthority } from './file';
import type { Authority } from './index';

/**
 * The active-site authority a topology's `authority` block declares. A relative file path is taken from
 * `baseDir` (the project directory), so the record does not move with the shell's working directory.
 */
export function authorityFromTopology(topology: Topology, baseDir: string): Authority {
  const spec = topology.authority;
  switch (spec.backend) {
    case 'file':
      return new FileAuthority({ path: resolve(baseDir, spec.path) });
    case 'etcd':
      return new EtcdAuthority({ endpoints: spec.endpoints, key: spec.key, runLockTtlSeconds: spec.runLockTtlSeconds });
  }
}
