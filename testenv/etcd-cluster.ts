import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, portOpen } from './core';

/** One member of a loopback etcd cluster: its name, URLs and data directory. */
export interface EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly dataDir: string;
}

/** `count` members on free loopback ports, data under `dir`. */
export async function etcdMembers(dir: string, count = 3, prefix = 'm'): Promise<EtcdMember[]> {
  const members: EtcdMember[] = [];
  for (let i = 1; i <= count; i++) {
    const name = `${prefix}${i}`;
    members.push({ name, clientUrl: `http://127.0.0.1:${await freePort()}`, peerUrl: `http://127.0.0.1:${await freePort()}`, dataDir: join(dir, name) });
  }
  return members;
}

/**
 * The command line of one member (Debian's etcd 3.4). Election timeouts as etcd's defaults (heartbeat
 * 100 ms, election 1 s): a leader kill is noticed and replaced within about a second, as in production.
 * `state existing` restarts a member on its data directory.
 */
export function etcdMemberArgs(member: EtcdMember, all: readonly EtcdMember[], state: 'new' | 'existing' = 'new'): string[] {
  return [
    '--name', member.name,
    '--data-dir', member.dataDir,
    '--listen-client-urls', member.clientUrl,
    '--advertise-client-urls', member.clientUrl,
    '--listen-peer-urls', member.peerUrl,
    '--initial-advertise-peer-urls', member.peerUrl,
    '--initial-cluster', all.map((m) => `${m.name}=${m.peerUrl}`).join(','),
    '--initial-cluster-state', state,
    '--initial-cluster-token', `pra-${all.map((m) => m.name).join('-')}-${new URL(all[0].peerUrl).port}`,
    '--log-level', 'warn',
  ];
}

export const ETCD_ENV = { ...process.env, ETCD_UNSUPPORTED_ARCH: process.arch === 'x64' ? '' : process.arch };

/**
 * A private 3-member cluster for a test that kills, freezes or restarts members: it hurts no other test.
 * `freeze` (SIGSTOP) is a member cut off by the network (connections hang, nothing answers); `kill` a crash.
 */
export class EtcdCluster {
  private readonly processes = new Map<string, ChildProcess>();

  private constructor(
    readonly members: readonly EtcdMember[],
    private readonly dir: string,
  ) {}

  static async start(dir: string): Promise<EtcdCluster> {
    mkdirSync(dir, { recursive: true });
    const cluster = new EtcdCluster(await etcdMembers(dir), dir);
    await Promise.all(cluster.members.map((m) => cluster.launch(m, 'new')));
    await cluster.waitForLeader();
    return cluster;
  }

  get endpoints(): string[] {
    return this.members.map((m) => m.clientUrl);
  }

  member(name: string): EtcdMember {
    const found = this.members.find((m) => m.name === name);
    if (!found) throw new Error(`no etcd member ${name}`);
    return found;
  }

  /** The current leader, from the status of every member that answers (maintenance status over the JSON gateway). */
  async leader(): Promise<EtcdMember | undefined> {
    const statuses = await Promise.all(
      this.members.map((m) =>
        fetch(`${m.clientUrl}/v3/maintenance/status`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(500) })
          .then((r) => r.json() as Promise<{ header?: { member_id?: string }; leader?: string }>)
          .catch(() => undefined),
      ),
    );
    const leaderId = statuses.find((s) => s?.leader && s.leader !== '0')?.leader;
    const index = statuses.findIndex((s) => s?.header?.member_id === leaderId);
    return leaderId && index >= 0 ? this.members[index] : undefined;
  }

  async waitForLeader(timeoutMs = 30_000): Promise<EtcdMember> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const leader = await this.leader();
      if (leader) return leader;
      if (Date.now() > deadline) throw new Error(`etcd cluster in ${this.dir}: no leader after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  kill(name: string): void {
    this.processes.get(name)?.kill('SIGKILL');
    this.processes.delete(name);
  }

  /** Restarts a killed member on its data directory; it rejoins the cluster. */
  async restart(name: string): Promise<void> {
    await this.launch(this.member(name), 'existing');
  }

  freeze(name: string): void {
    this.processes.get(name)?.kill('SIGSTOP');
  }

  thaw(name: string): void {
    this.processes.get(name)?.kill('SIGCONT');
  }

  stop(): void {
    for (const name of [...this.processes.keys()]) {
      this.thaw(name);
      this.kill(name);
    }
  }

  private async launch(member: EtcdMember, state: 'new' | 'existing'): Promise<void> {
    const log = openSync(join(this.dir, `${member.name}.log`), 'a');
    const child = spawn('etcd', etcdMemberArgs(member, this.members, state), { env: ETCD_ENV, stdio: ['ignore', log, log] });
    closeSync(log);
    this.processes.set(member.name, child);
    const port = Number(new URL(member.clientUrl).port);
    const deadline = Date.now() + 30_000;
    while (!(await portOpen(port))) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`etcd member ${member.name} did not start; log ${join(this.dir, `${member.name}.log`)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
