import type { FailbackState, Topology } from '../../topology';
import type { ActiveSiteRecord, Authority } from '../drivers/authority';
import type { Publisher } from '../drivers/authority/publishers';
import type { DnsProvider } from '../drivers/dns';
import type { LoadBalancer } from '../drivers/lb';
import type { ProbeResult } from '../drivers/probes';
import type { VsphereClient } from '../drivers/vsphere';
import type { ZertoDriver } from '../drivers/zerto/driver';
import type { Json } from '../engine/events';

/** What the steps need of vCenter (the real VsphereClient satisfies it). */
export type Vcenter = Pick<VsphereClient, 'powerStates' | 'ensureRunning' | 'ensureSuspended' | 'ensureOff' | 'watchPowerStates' | 'findVm' | 'readExtraConfig' | 'writeExtraConfig'>;

/** What the steps need of Zerto (the real ZertoDriver satisfies it). */
export type Zerto = Pick<
  ZertoDriver,
  'getVpg' | 'findVpg' | 'vms' | 'alerts' | 'checkpoints' | 'tagCheckpoint' | 'move' | 'failover' | 'commit' | 'rollback' | 'failoverTest' | 'stopFailoverTest' | 'waitForBeforeCommit' | 'waitForVpg' | 'waitForTask'
>;

/** Commands run inside guests (over SSH): the guard's drain, a compose down. */
export interface GuestShell {
  /** Runs `pra-guard ARGS` on the guest of `vm`; resolves with the exit code and output. */
  guard(vm: string, args: readonly string[], timeoutMs: number): Promise<{ readonly exitCode: number | null; readonly output: string }>;
  /** Writes the guest's `/etc/pra/site` (in its guard root) atomically; resolves with what the file then holds. */
  writeSiteFile(vm: string, site: string): Promise<string>;
}

/** The failback state file, re-synthesized on every change (the engine journals the semantic diff). */
export interface StateStore {
  read(): FailbackState;
  /** Writes `next`, re-synthesizes the stacks and returns the review of the change (for the journal). */
  write(next: FailbackState): Json;
}

/** Health checks of the topology, run against one site (MySQL SELECT 1 + schemas, HTTP endpoints). */
export interface SiteChecks {
  run(site: string): Promise<readonly (ProbeResult & { readonly name: string })[]>;
}

/** Every system a failback plan touches, through the narrow interfaces above. */
export interface FailbackSystems {
  readonly topology: Topology;
  vcenter(site: string): Vcenter;
  /** The ZVM managing the VPGs that recover into `site` (Zerto: the recovery site's ZVM). */
  zerto(site: string): Zerto;
  readonly dns?: DnsProvider;
  readonly lb?: LoadBalancer;
  readonly authority: Authority;
  readonly publishers: readonly Publisher[];
  readonly guests: GuestShell;
  readonly checks: SiteChecks;
  readonly state: StateStore;
  /** Who the run acts for, written into authority records. */
  readonly actor: string;
  readonly now: () => Date;
}

export type { ActiveSiteRecord };
