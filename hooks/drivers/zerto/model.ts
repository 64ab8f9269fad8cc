/** What the driver returns: plain camelCase records read case-insensitively from the ZVM's JSON. */

export interface Vpg {
  readonly id: string;
  readonly name: string;
  readonly status: number;
  /** Resolved from the ZVM's lookup list, e.g. `MeetingSLA`. */
  readonly statusName: string;
  readonly subStatus: number;
  /** Resolved from the ZVM's lookup list, e.g. `MovingBeforeCommit`. */
  readonly subStatusName: string;
  readonly actualRpoSeconds: number;
  readonly configuredRpoSeconds?: number;
  readonly protectedSiteId?: string;
  readonly recoverySiteId?: string;
  /** Site names as the ZVM reports them. */
  readonly sourceSite?: string;
  readonly targetSite?: string;
  readonly vmsCount?: number;
  /** A Failover Test is running (`ActiveProcessesApi.RunningFailOverTestApi` set). */
  readonly testRunning?: boolean;
}

/**
 * What a failover committed without reverse protection leaves: `Recovered` on 8.5 and later, Needs
 * Configuration on 6.x (Zerto's PowerShell wrapper, Invoke-ZertoMove.ps1 `-disableReverseProtection`).
 */
export function isRecoveredWithoutProtection(vpg: Pick<Vpg, 'statusName' | 'subStatusName'>): boolean {
  return vpg.statusName === 'Recovered' || vpg.subStatusName === 'NeedsConfiguration';
}

/** Recovered VMs up, waiting for a commit or a rollback (MovingBeforeCommit, FailingOverBeforeCommit). */
export function isBeforeCommit(vpg: Pick<Vpg, 'subStatusName'>): boolean {
  return vpg.subStatusName.endsWith('BeforeCommit');
}

export interface ProtectedVm {
  readonly id: string;
  readonly name: string;
}

export interface Alert {
  readonly id: string;
  /** `Warning` or `Error`. */
  readonly level: string;
  readonly description: string;
  readonly turnedOn?: string;
}

export interface Checkpoint {
  readonly id: string;
  readonly tag?: string;
  readonly time: Date;
}

/** Task `Status.State` values (REFERENCE.md). */
export const TaskState = {
  InProgress: 1,
  WaitingForUserInput: 2,
  Paused: 3,
  Failed: 4,
  Stopped: 5,
  Completed: 6,
  Cancelling: 7,
} as const;

export interface Task {
  readonly id: string;
  readonly type?: string;
  readonly state: number;
  readonly progress?: number;
  readonly completeReason?: string;
}

/** `CommitPolicy` of Move and Failover. */
export type CommitPolicy = 'rollback' | 'commit' | 'none';
export const COMMIT_POLICY: Readonly<Record<CommitPolicy, number>> = { rollback: 0, commit: 1, none: 2 };

export interface MoveOptions {
  /** @default 'none': the operator (or the engine) commits or rolls back after validation */
  readonly commitPolicy?: CommitPolicy;
  /** Seconds (300-86400) before the `commit`/`rollback` policy acts by itself; not sent with `none`. @default 3600 */
  readonly commitPolicyTimeoutSeconds?: number;
  /** @default false: protected VMs are shut down gracefully */
  readonly forceShutdown?: boolean;
  /** @default true: replicate back toward the original site after commit */
  readonly reverseProtection?: boolean;
  /** @default false */
  readonly keepSourceVms?: boolean;
  /** @default false */
  readonly continueOnPreScriptFailure?: boolean;
}

/** `ShutdownPolicy` of a Failover. */
export type ShutdownPolicy = 'none' | 'shutdown' | 'forceShutdown';
export const SHUTDOWN_POLICY: Readonly<Record<ShutdownPolicy, number>> = { none: 0, shutdown: 1, forceShutdown: 2 };

export interface FailoverOptions {
  /** @default the latest checkpoint (the ZVM's choice) */
  readonly checkpointId?: string;
  /** @default 'none' */
  readonly commitPolicy?: CommitPolicy;
  /** @default 'none': the protected VMs keep running (the source may be gone, or must stay up) */
  readonly shutdownPolicy?: ShutdownPolicy;
  /**
   * `TimeToWaitBeforeShutdownInSec`: seconds (300-86400) the failover stays Before Commit before its commit
   * policy acts; not sent with `none`. @default 3600
   */
  readonly beforeCommitWaitSeconds?: number;
  /** @default true */
  readonly reverseProtection?: boolean;
  /** Recover only these VMs (identifiers from `vms()`). @default every VM of the VPG */
  readonly vmIds?: readonly string[];
}

export interface CommitOptions {
  /** @default true */
  readonly reverseProtection?: boolean;
  /** Move only. @default false */
  readonly keepSourceVms?: boolean;
}
