export { BackupPolicy, type BackupPolicyArgs } from "./backup-policy";
export { Backup, type BackupArgs } from "./backup";
export { StandbyCluster, type StandbyClusterArgs, type StandbyZoneArgs, type StandbyHostArgs } from "./standby-cluster";
