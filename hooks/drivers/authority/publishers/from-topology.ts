import { posix } from 'node:path';
import type { Bastion, Topology } from '../../../../topology/schema';
import { PermanentError } from '../../common/errors';
import { resolveSecret } from '../../common/secret';
import { EtcdKeyPublisher } from './etcd';
import { GuestinfoPublisher, type ExtraConfigAccess } from './guestinfo';
import type { Publisher } from './index';
import { withSshSession, type SshSessions, type SshTarget } from '../../common/ssh';
import { SshFilePublisher } from './ssh';

/**
 * The publishers of every source the guard reads (`guard.sources`), over every VM of the topology:
 * guestinfo through each VM's own site vCenter (`vcenters`: site name -> client, e.g. from
 * `vcentersFromTopology`), the file `<guest.guardRoot><guard.ssh.path>` over SSH, the etcd key on
 * `guard.etcd`. Secrets (the SSH private key) are read now from env or file. SSH connections come from
 * `sessions` (the engine passes its pool's).
 */
export function publishersFromTopology(
  topology: Topology,
  vcenters: Readonly<Record<string, ExtraConfigAccess>>,
  env: NodeJS.ProcessEnv = process.env,
  sessions: SshSessions = withSshSession,
): Publisher[] {
  return topology.guard.sources.map((source): Publisher => {
    switch (source) {
      case 'guestinfo':
        return new GuestinfoPublisher(topology.vms.map((vm) => ({ vm: vm.name, recoveredAs: recoveredAs(topology, vm), vcenter: vcenterOf(vcenters, vm.site) })), topology.guard.fanOut);
      case 'file':
        return new SshFilePublisher(guestSshAccess(topology, env).map((g) => ({ name: g.vm, ssh: g.ssh, path: posix.join(g.root, g.activeSitePath) })), sessions, topology.guard.fanOut);
      case 'etcd': {
        const etcd = topology.guard.etcd;
        if (!etcd) throw new PermanentError('publisher etcd', 'guard.sources lists etcd but guard.etcd is not set: add { endpoints: [...] }');
        return new EtcdKeyPublisher({ endpoints: etcd.endpoints, key: etcd.key });
      }
    }
  });
}

/** The name Zerto gives a VM recovered at `vm`'s site from its peer (the protected VM's own), when it has a peer elsewhere. */
function recoveredAs(topology: Topology, vm: Topology['vms'][number]): string | undefined {
  const peer = topology.vms.find((other) => other.name === vm.peer);
  return peer && peer.site !== vm.site ? peer.name : undefined;
}

function vcenterOf(vcenters: Readonly<Record<string, ExtraConfigAccess>>, site: string): ExtraConfigAccess {
  const vcenter = vcenters[site];
  if (!vcenter) throw new PermanentError('publisher guestinfo', `no vCenter client for site ${site}; pass one per topology site`);
  return vcenter;
}

/** How the engine reaches each guest over SSH (publisher, drain), and where its guard's files live. */
export interface GuestSshAccess {
  readonly vm: string;
  readonly ssh: SshTarget;
  /** The guest filesystem root of the guard ('/' on a real guest). */
  readonly root: string;
  readonly activeSitePath: string;
}

export function guestSshAccess(topology: Topology, env: NodeJS.ProcessEnv = process.env): GuestSshAccess[] {
  const ssh = topology.guard.ssh;
  if (!ssh) throw new PermanentError('guest ssh', 'guard.ssh is not set: add { user, privateKey, hostKeySha256 } (needed to publish the active-site file and drain guests)');
  const privateKey = resolveSecret(ssh.privateKey, 'guard.ssh.privateKey', env, { wholeFile: true });
  // A site's own bastion wins over the global one; neither: guests are reached directly.
  const bastions = new Map(
    topology.sites.map((site) => [
      site.name,
      site.bastion ? jumpHost(site.bastion, `sites.${site.name}.bastion`, env) : ssh.bastion ? jumpHost(ssh.bastion, 'guard.ssh.bastion', env) : undefined,
    ]),
  );
  return topology.vms.map((vm) => ({
    vm: vm.name,
    ssh: {
      host: vm.guest?.sshHost ?? vm.ip,
      port: vm.guest?.sshPort ?? ssh.port,
      user: ssh.user,
      privateKey,
      hostKeySha256: ssh.hostKeySha256,
      insecureAcceptAnyHostKey: ssh.insecureAcceptAnyHostKey,
      via: bastions.get(vm.site),
    },
    root: vm.guest?.guardRoot ?? '/',
    activeSitePath: ssh.path,
  }));
}

/** A jump host as the SSH driver takes it, its key read now (`path` names the field in messages). */
function jumpHost(bastion: Bastion, path: string, env: NodeJS.ProcessEnv): SshTarget {
  return {
    host: bastion.host,
    port: bastion.port,
    user: bastion.user,
    privateKey: resolveSecret(bastion.privateKey, `${path}.privateKey`, env, { wholeFile: true }),
    hostKeySha256: bastion.hostKeySha256,
    insecureAcceptAnyHostKey: bastion.insecureAcceptAnyHostKey,
  };
}
