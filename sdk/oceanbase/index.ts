export { BackupPolicy, type BackupPolicyArgs } from "./backup-policy";
export { Backup, type BackupArgs } from "./backup";
