import { rmSync } from 'node:fs';
import { etcdMemberArgs, etcdMembers, ETCD_ENV } from '../etcd-cluster';
import { portOpen, type Service } from '../core';

/**
 * A 3-member etcd cluster on loopback, next to the single member: the shared authority, journal and guard
 * source as production runs them (quorum 2 of 3). Tests that kill or freeze members start a private one
 * (`EtcdCluster`, testenv/etcd-cluster.ts) so that no other test sees the fault.
 */
export const etcdClusterService: Service = {
  name: 'etcd-cluster',
  debianPackages: ['etcd-server', 'etcd-client', 'curl'],
  async start(ctx) {
    const members = await etcdMembers(ctx.dir);
    // New ports make a new cluster: a data directory left by an earlier start (no `down`) would rejoin the old
    // one's peer URLs and never reach a quorum.
    for (const member of members) rmSync(member.dataDir, { recursive: true, force: true });
    for (const member of members) ctx.daemon(member.name, 'etcd', etcdMemberArgs(member, members), { env: ETCD_ENV });
    for (const member of members) await ctx.waitForPort(Number(new URL(member.clientUrl).port), member.name);
    return { PRA_TESTENV_ETCD_CLUSTER_ENDPOINTS: members.map((m) => m.clientUrl).join(',') };
  },
  async healthy(env) {
    const ports = env.PRA_TESTENV_ETCD_CLUSTER_ENDPOINTS.split(',').map((url) => Number(new URL(url).port));
    return (await Promise.all(ports.map((port) => portOpen(port)))).every(Boolean);
  },
};
