/**
 * Every error the OBServer stand-in returns, in one table: OceanBase's error number as the
 * client sees it, SQL state and text (src/share/ob_errno.def and the 3.x/4.x backup schedulers,
 * as recorded in the spec's oceanbase-source-check.md). Entries marked `guess` have no source
 * that shows the exact condition or text; they are kept here so that they are easy to revisit.
 */
export interface ObErrorDef {
  readonly code: number;
  readonly sqlState: string;
  readonly text: string;
  /** True where no source shows this exact behaviour. */
  readonly guess?: boolean;
}

export const OB_ERRORS = {
  accessDenied: { code: 1045, sqlState: "42000", text: "Access denied for user '%s'@'%s' (using password: %s)" },
  parse: { code: 1064, sqlState: "42000", text: "You have an error in your SQL syntax; check the manual that corresponds to your OceanBase version for the right syntax to use near '%s' at line 1" },
  // OB_NOT_SUPPORTED (-4007) reaches a MySQL client as ER_NOT_SUPPORTED_YET.
  notSupported: { code: 1235, sqlState: "0A000", text: "%s not supported" },
  notSupportedPlain: { code: 1235, sqlState: "0A000", text: "Not supported feature or function" },
  noFunction: { code: 1305, sqlState: "42000", text: "FUNCTION %s does not exist" },
  unknownTable: { code: 1146, sqlState: "42S02", text: "Table '%s' doesn't exist" },
  unknownColumn: { code: 1054, sqlState: "42S22", text: "Unknown column '%s' in 'field list'" },
  unknownTenant: { code: 5160, sqlState: "HY000", text: "Unknown tenant '%s'", guess: true },
  // OB_INVALID_ARGUMENT: e.g. a malformed backup_backup_dest_option (ObBackupDestOpt::init).
  invalidArgument: { code: 4002, sqlState: "HY000", text: "Invalid argument" },
  // backup_backup_dest_option (backup-backup.ts): what the root service's check_backup_dest_opt
  // answers for a piece interval or copies on the second destination, source text; a guess that
  // ObBackupDestOpt::init lets them through to it rather than refusing them itself (4002). And a
  // guess that init refuses log_archive_checkpoint_interval there: the unit tests that refuse a
  // piece interval and copies on it with OB_INVALID_ARGUMENT hold that key as well.
  backupBackupOptNotSupported: { code: 1235, sqlState: "0A000", text: "%s not supported", guess: true },
  backupBackupCheckpointInterval: { code: 4002, sqlState: "HY000", text: "Invalid argument", guess: true },
  opNotAllow: { code: 4179, sqlState: "HY000", text: "%s not allowed" },
  entryExist: { code: 4017, sqlState: "HY000", text: "Entry already exist" },
  entryNotExist: { code: 4018, sqlState: "HY000", text: "Entry not exist" },
  tryAgain: { code: 4023, sqlState: "HY000", text: "Try again" },
  cannotStartArchive: { code: 9023, sqlState: "HY000", text: "cannot start log archive backup" },
  archiveAlreadyDisabled: { code: 9024, sqlState: "HY000", text: "log archive backup is already disabled" },
  destNotValid: { code: 9026, sqlState: "HY000", text: "backup destination is not valid" },
  backupInProgress: { code: 9036, sqlState: "HY000", text: "Backup is in progress" },
  backupCannotStart: { code: 9040, sqlState: "HY000", text: "backup can not start, because %s" },
  cancelNotAllowed: { code: 9049, sqlState: "HY000", text: "backup status is stopped, can not cancel" },
  // OB_BACKUP_MOUNT_FILE_NOT_VALID (3.x ObBackupMountFile::check_mount_file: the round's mount_file
  // is not there, "maybe nfs is not mount properly"); no source here shows its number or user text.
  backupMountFileNotValid: { code: 9071, sqlState: "HY000", text: "backup mount file is not valid, maybe nfs is not mount properly", guess: true },
  // 4.x: the connectivity check's write that fails for want of access (share/backup/ob_backup_connectivity.cpp:
  // a permission error becomes OB_BACKUP_PERMISSION_DENIED); that a server whose host lost the NFS mount fails a
  // tenant's backup with it, the number and the text are guesses.
  backupPermissionDenied: { code: 9116, sqlState: "HY000", text: "no I/O operation permission at the backup destination", guess: true },
  // Archiving's failed write to its destination (4.x logservice ObLogExternalStorageHandler::convert_ret_code_
  // turns OB_OBJECT_STORAGE_PERMISSION_DENIED into OB_OBJECT_STORAGE_IO_ERROR; the round goes INTERRUPTED).
  // The number and the text are guesses; the comment's detail (OSS's code, the missing directory) is the lab's.
  archiveIoError: { code: 9081, sqlState: "HY000", text: "archive write to the destination failed (OB_OBJECT_STORAGE_IO_ERROR)", guess: true },
  noBackupData: { code: 9050, sqlState: "HY000", text: "no backup data to be backuped up" },
  alreadyArchivelog: { code: 9091, sqlState: "HY000", text: "Already in ARCHIVELOG mode" },
  alreadyNoarchivelog: { code: 9092, sqlState: "HY000", text: "Already in NOARCHIVELOG mode" },
  // OB_OSS_ERROR: the OSS device's failure, OSS's code and message appended (code and text guessed).
  ossError: { code: 9060, sqlState: "HY000", text: "OSS error: %s", guess: true },
  formatFileMissing: { code: 9080, sqlState: "HY000", text: "the format file does not exist under the destination" },
  // 3.x primary/standby clusters (ERR3/400.4500-4999.md); conditions and action texts no source shows are guesses.
  standbyWeakReadOnly: { code: 4688, sqlState: "HY000", text: "standby cluster support weak read only" },
  notPrimaryCluster: { code: 4693, sqlState: "HY000", text: "not primary cluster" },
  notStandbyCluster: { code: 4695, sqlState: "HY000", text: "not standby cluster" },
  clusterVersionIncompatible: { code: 4696, sqlState: "HY000", text: "cluster version not compatible" },
  clusterIdMismatch: { code: 4700, sqlState: "HY000", text: "cluster id does not match" },
  failoverNotAllowed: { code: 4708, sqlState: "HY000", text: "Failover is not allowed" },
  addClusterNotAllowed: { code: 4709, sqlState: "HY000", text: "Add cluster not allowed. Actions: %s" },
  clusterIdInUse: { code: 4709, sqlState: "HY000", text: "Add cluster not allowed. Actions: CLUSTER_ID %s IS ALREADY USED", guess: true },
  clusterNameMismatch: { code: 4179, sqlState: "HY000", text: "cluster name %s differs from the primary cluster's %s, bootstrap standby not allowed", guess: true },
  switchoverNotAllowed: { code: 4179, sqlState: "HY000", text: "switchover to %s not allowed", guess: true },
  serverNotAlive: { code: 4179, sqlState: "HY000", text: "server %s is not alive, bootstrap not allowed", guess: true },
  serverMismatch: { code: 4179, sqlState: "HY000", text: "server %s is of cluster %s zone %s, bootstrap not allowed", guess: true },
  // 4.x standby tenants (OB_STANDBY_READ_ONLY is what the source returns for a write on a standby tenant; its number here is a guess).
  standbyTenantReadOnly: { code: 6312, sqlState: "HY000", text: "standby tenant is read only", guess: true },
  tenantExist: { code: 5157, sqlState: "HY000", text: "tenant '%s' already exist" },
  invalidRestoreSource: { code: 4002, sqlState: "HY000", text: "Invalid argument, log restore source %s", guess: true },
  restoreSourceUnreachable: { code: 4179, sqlState: "HY000", text: "log restore source SERVICE=%s does not answer, check network", guess: true },
  restoreSourceAccessDenied: { code: 1045, sqlState: "42000", text: "Access denied for user '%s'@'%s' (using password: YES)", guess: true },
  switchoverToPrimaryNotAllowed: { code: 4179, sqlState: "HY000", text: "%s, switchover to primary not allowed", guess: true },
  // OB_MACHINE_RESOURCE_NOT_ENOUGH (ob_errno): that 3.x DELETE SERVER returns it when no server of the zone can take the units is a guess, as is the text.
  machineResourceNotEnough: { code: 4624, sqlState: "HY000", text: "machine resource '%s' is not enough to hold a new unit", guess: true },
  // 4.x DELETE SERVER whose units have no other server of their zone to go to (rootserver/
  // ob_unit_manager.cpp check_enough_resource_for_delete_server_): the statement fails with its ret,
  // OB_ZONE_SERVER_NOT_ENOUGH (no other server in the zone) or OB_ZONE_RESOURCE_NOT_ENOUGH (none
  // that can take a unit: inactive ones), and the text it sets with LOG_USER_ERROR(OB_DELETE_SERVER_NOT_ALLOWED).
  zoneServerNotEnough: { code: 4734, sqlState: "HY000", text: "can not migrate out unit '%s', no other available servers on zone '%s', delete server not allowed" },
  zoneResourceNotEnough: { code: 4733, sqlState: "HY000", text: "can not migrate out all units, zone '%s' resource not enough, delete server not allowed. You can check resource info by views: DBA_OB_UNITS, GV$OB_UNITS, GV$OB_SERVERS.\n%s" },
  // OB_SERVER_ALREADY_DELETED: rootserver/ob_server_manager.cpp delete_server, for a server whose admin status is DELETING.
  serverAlreadyDeleted: { code: 4628, sqlState: "HY000", text: "Server has already been deleted" },
  notBootstrapped: { code: 4006, sqlState: "HY000", text: "Not init", guess: true },
  // MySQL's ER_CANNOT_USER, which OceanBase's MySQL mode returns for an unknown user (the text a guess).
  userNotExist: { code: 1396, sqlState: "HY000", text: "Operation ALTER USER failed for '%s'@'%%'", guess: true },
} as const satisfies Record<string, ObErrorDef>;

export type ObErrorName = keyof typeof OB_ERRORS;

/** An error the server returns to the client; `%s` in the text are filled from `args`. */
export class ObError extends Error {
  readonly code: number;
  readonly sqlState: string;
  constructor(name: ObErrorName, ...args: string[]) {
    const def: ObErrorDef = OB_ERRORS[name];
    let i = 0;
    super(def.text.replace(/%s/g, () => args[i++] ?? ""));
    this.code = def.code;
    this.sqlState = def.sqlState;
  }
}
