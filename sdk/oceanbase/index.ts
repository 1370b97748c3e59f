export { BackupPolicy, type BackupPolicyArgs } from "./backup-policy";
