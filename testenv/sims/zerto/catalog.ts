/**
 * The enumerations the simulated ZVM publishes, as REFERENCE.md documents them. The simulator uses these
 * numbers; the driver never does: it resolves names from `/v1/vpgs/statuses` and `/substatuses` at run time.
 */

/** Index = the `Status` int. 3/4 follow the order most sources give (they disagree). */
export const VPG_STATUSES = [
  'Initializing',
  'MeetingSLA',
  'NotMeetingSLA',
  'RpoNotMeetingSLA',
  'HistoryNotMeetingSLA',
  'FailingOver',
  'Moving',
  'Deleting',
  'Recovered',
] as const;

/** Index = the `SubStatus` int. */
export const VPG_SUBSTATUSES = [
  'None',
  'InitialSync',
  'Creating',
  'VolumeInitialSync',
  'Sync',
  'RecoveryPossible',
  'DeltaSync',
  'NeedsConfiguration',
  'Error',
  'EmptyProtectionGroup',
  'DisconnectedFromPeerNoRecoveryPoints',
  'FullSync',
  'VolumeDeltaSync',
  'VolumeFullSync',
  'FailingOverCommitting',
  'FailingOverBeforeCommit',
  'FailingOverRollingBack',
  'Promoting',
  'MovingCommitting',
  'MovingBeforeCommit',
  'MovingRollingBack',
  'Deleting',
  'PendingRemove',
  'BitmapSync',
  'DisconnectedFromPeer',
  'ReplicationPausedUserInitiated',
  'ReplicationPausedSystemInitiated',
] as const;

type StatusName = (typeof VPG_STATUSES)[number];
type SubStatusName = (typeof VPG_SUBSTATUSES)[number];

export const status = (name: StatusName): number => VPG_STATUSES.indexOf(name);
export const subStatus = (name: SubStatusName): number => VPG_SUBSTATUSES.indexOf(name);

/** `Status.State` of a task: the documented values, one definition for the driver and the simulator. */
export { TaskState } from '../../../hooks/drivers/zerto/model';
