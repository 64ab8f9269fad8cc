/**
 * The enumerations the simulated ZVM publishes, as Zerto's SDK names them (ZertoPublic/zvml-python-sdk
 * `zvml/common.py`; the 10.0 U6 document lists the same ints without names). The simulator uses these numbers;
 * the driver never does: it resolves names from `/v1/vpgs/statuses` and `/substatuses` at run time.
 */

/** Index = the `Status` int. */
export const VPG_STATUSES = [
  'Initializing',
  'MeetingSLA',
  'NotMeetingSLA',
  'HistoryNotMeetingSLA',
  'RpoNotMeetingSLA',
  'FailingOver',
  'Moving',
  'Deleting',
  'Recovered',
] as const;

/** Index = the `SubStatus` int: 0-32 named by the SDK; the document also allows 33-42, which nobody names. */
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
  'RecoveryStorageProfileError',
  'Backup',
  'RollingBack',
  'RecoveryStorageError',
  'JournalStorageError',
  'VmNotProtectedError',
] as const;

type StatusName = (typeof VPG_STATUSES)[number];
type SubStatusName = (typeof VPG_SUBSTATUSES)[number];

export const status = (name: StatusName): number => VPG_STATUSES.indexOf(name);
export const subStatus = (name: SubStatusName): number => VPG_SUBSTATUSES.indexOf(name);

/** `Status.State` of a task: the documented values, one definition for the driver and the simulator. */
export { TaskState } from '../../../hooks/drivers/zerto/model';
