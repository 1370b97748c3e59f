// OceanBase resources (BackupPolicy, StandbyCluster) are not built yet: see the README's status table.
export {};
