import { join } from 'node:path';
import { portOpen, type Service } from '../core';

/** Single-node etcd 3.4 on loopback: the shared authority, the run lease and a guard source. */
export const etcdService: Service = {
  name: 'etcd',
  debianPackages: ['etcd-server', 'etcd-client', 'curl'],
  async start(ctx) {
    const clientPort = await ctx.freePort();
    const peerPort = await ctx.freePort();
    const url = `http://127.0.0.1:${clientPort}`;
    ctx.daemon('etcd', 'etcd', [
      '--name', 'pra-testenv',
      '--data-dir', join(ctx.dir, 'data'),
      '--listen-client-urls', url,
      '--advertise-client-urls', url,
      '--listen-peer-urls', `http://127.0.0.1:${peerPort}`,
      '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`,
      '--initial-cluster', `pra-testenv=http://127.0.0.1:${peerPort}`,
      '--log-level', 'warn',
    ], { env: { ...process.env, ETCD_UNSUPPORTED_ARCH: process.arch === 'x64' ? '' : process.arch } });
    await ctx.waitForPort(clientPort, 'etcd');
    return { PRA_TESTENV_ETCD_ENDPOINT: url };
  },
  async healthy(env) {
    return portOpen(Number(new URL(env.PRA_TESTENV_ETCD_ENDPOINT).port));
  },
};
