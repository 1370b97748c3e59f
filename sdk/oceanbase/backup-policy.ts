import * as pulumi from "@pulumi/pulumi";
import { dynamicProvider } from "../internal/provider";
import type { Connection } from "../types";
import { secretOutputs, withSecrets } from "../internal/secrets";

/** Inputs holding a password, a key or a connection: secrets in state whatever the program passed. */
const SECRET_INPUTS = ["cluster", "job", "storage", "secondary"] as const;

export interface BackupPolicyArgs {
  /** The policy's name on the job host (its directory and cron block). Changing it replaces the policy. */
  readonly name: pulumi.Input<string>;
  /** Where SQL runs: a host that reaches an OBServer's SQL port, that address and port, root@sys's password (a secret). */
  readonly cluster: pulumi.Input<{
    connection: pulumi.Input<Connection>;
    /** @default "127.0.0.1" */
    host?: pulumi.Input<string>;
    /** @default 2881 */
    port?: pulumi.Input<number>;
    password: pulumi.Input<string>;
    /** The other OBServers' hosts: the storage test (OCP's 测试) runs on each. @default only `connection`'s host */
    servers?: pulumi.Input<pulumi.Input<{ connection: pulumi.Input<Connection> }>[]>;
  }>;
  /** OCP's storage configuration: a name and either a directory mounted at the same path on every OBServer (NFS) or OSS. */
  readonly storage: pulumi.Input<{
    name: pulumi.Input<string>;
    file?: pulumi.Input<{ path: pulumi.Input<string> }>;
    /** OSS: endpoint (`host[:port]`), bucket, path inside it, access id and key (a secret: stored encrypted whatever is passed). */
    oss?: pulumi.Input<{ endpoint: pulumi.Input<string>; bucket: pulumi.Input<string>; path?: pulumi.Input<string>; accessId: pulumi.Input<string>; accessKey: pulumi.Input<string> }>;
    /** @default 80 */
    capacityAlarmPercent?: pulumi.Input<number>;
  }>;
  /** When backups run: weekly (days 1 = Monday .. 7 = Sunday) or monthly (1..31, at most 10 days). */
  readonly schedule: pulumi.Input<{
    period: pulumi.Input<"week" | "month">;
    days: pulumi.Input<pulumi.Input<{ day: pulumi.Input<number>; mode: pulumi.Input<"full" | "incremental"> }>[]>;
    /** HH:MM */
    time: pulumi.Input<string>;
    /** @default "UTC" */
    timeZone?: pulumi.Input<string>;
  }>;
  /** Log backup is always on; the piece switch interval is 1..7 days. @default { enabled: true, pieceSwitchDays: 1 } */
  readonly logBackup?: pulumi.Input<{ enabled?: pulumi.Input<boolean>; pieceSwitchDays?: pulumi.Input<number> }>;
  /** Expired-backup cleanup: backups older than expiryDays are deleted daily at `time`. @default off */
  readonly cleanup?: pulumi.Input<{ enabled: pulumi.Input<boolean>; expiryDays?: pulumi.Input<number>; time?: pulumi.Input<string> }>;
  /** OCP's alarm thresholds, checked by the job at every run and hourly; open alarms are the `alarms` output. */
  readonly alarms?: pulumi.Input<{ backupTimeoutHours?: pulumi.Input<number>; logDelayMinutes?: pulumi.Input<number>; daysWithoutBackup?: pulumi.Input<number> }>;
  /** Run on the job host (bash -c) with each alarm, opening or clearing, as JSON on stdin: wire a webhook or a pager here. */
  readonly alarmCommand?: pulumi.Input<string>;
  /** 4.x: the user tenants to back up. @default every user tenant (refused on 3.x, which backs up the cluster) */
  readonly tenants?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Backup of backups (OCP's 二次备份; OceanBase 3.x only, refused on 4.x): the sets and archive
   * pieces copied to a second storage, which must differ from the primary one and not lie inside
   * it, on its own schedule (days of the week 1..7 or of the month 1..31).
   */
  readonly secondary?: pulumi.Input<{
    storage: pulumi.Input<{ name: pulumi.Input<string>; file?: pulumi.Input<{ path: pulumi.Input<string> }>; oss?: pulumi.Input<{ endpoint: pulumi.Input<string>; bucket: pulumi.Input<string>; path?: pulumi.Input<string>; accessId: pulumi.Input<string>; accessKey: pulumi.Input<string> }> }>;
    schedule: pulumi.Input<{ period: pulumi.Input<"week" | "month">; days: pulumi.Input<pulumi.Input<number>[]>; time: pulumi.Input<string>; timeZone?: pulumi.Input<string> }>;
    /** Days after which OceanBase deletes the copies (backup_backup_dest_option); at least cleanup.expiryDays when cleanup is enabled. @default never */
    expiryDays?: pulumi.Input<number>;
  }>;
  /** @default "physical" ("logical" is refused: that is obdumper's job) */
  readonly method?: pulumi.Input<"physical" | "logical">;
  /** The host whose cron runs the schedule. */
  readonly job: pulumi.Input<{ connection: pulumi.Input<Connection> }>;
  /** Stop log archiving when the policy is deleted. Backup data is never removed. @default false */
  readonly stopArchivingOnDelete?: pulumi.Input<boolean>;
}

/**
 * A backup policy as OCP's page declares it, run by cron on a job host: cluster level on
 * OceanBase 3.x, per user tenant on 4.x (the version is read from the server).
 */
export class BackupPolicy extends pulumi.dynamic.Resource {
  declare readonly observed: pulumi.Output<Record<string, any>>;
  declare readonly inSync: pulumi.Output<boolean>;
  declare readonly name: pulumi.Output<string>;

  constructor(name: string, args: BackupPolicyArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      dynamicProvider("oceanbase:BackupPolicy"),
      name,
      { ...withSecrets(args, SECRET_INPUTS), observed: undefined, inSync: undefined, hostKeys: undefined },
      secretOutputs(SECRET_INPUTS, opts),
      "oceanbase",
      "BackupPolicy",
    );
  }
}
