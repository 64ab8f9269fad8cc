import type { Service } from '../core';

/**
 * Nothing to start: the guard runs as a plain script. The service exists for the Debian packages its tests
 * need on a fresh CI machine: the shells it must support, shellcheck, flock (util-linux), logger (bsdutils),
 * curl for the etcd source, and libfaketime to put a run at a chosen wall-clock minute (replay tests).
 */
export const guardService: Service = {
  name: 'guard',
  debianPackages: ['dash', 'bash', 'shellcheck', 'util-linux', 'bsdutils', 'coreutils', 'curl', 'faketime'],
  async start() {
    return {};
  },
};
