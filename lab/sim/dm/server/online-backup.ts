/**
 * Online full backup (BACKUP DATABASE [FULL] [SHADOW] BACKUPSET 'dir'): an OPEN database that is no
 * RAFT follower, with archiving on, and the host's DMAP running unless BAK_USE_AP = 2.
 */
import * as path from "path";
import { backupSetDirBusy, DbControl, DpcMode, newMagic, readControl, writeBackupSet } from "../dbfiles";
import { ERR, sqlError } from "../errors";
import { dmapRunning } from "../host";
import type { Msg } from "../wire";
import type { ServerConfig } from "./config";
import type { ServerLog } from "./log";

export interface BackupSource {
  cfg: ServerConfig;
  ctl: DbControl;
  mode: DpcMode;
  bs: boolean;
  /** OPEN, and the RAFT leader when the instance runs as a RAFT member. */
  serving: boolean;
  /** BAK_USE_AP in force (dm.ini, or SP_SET_PARA_VALUE since the start). */
  bakUseAp: number;
  log: ServerLog;
}

/**
 * Online full backup: an OPEN database that is no RAFT follower (a follower or a MOUNT instance
 * refuses), with archiving on. The set is the offline one's format, marked online, so that
 * its restore needs RECOVER ... FROM BACKUPSET before UPDATE DB_MAGIC. SHADOW marks the set
 * as the offline SHADOW backup does (the restored database is a shadow replica).
 */
export function onlineBackup(x: BackupSource, name: string | undefined, dir: string, shadow: boolean): Msg {
  if (!x.serving) throw sqlError(ERR.backupNotOpen());
  if (x.cfg.archIni !== 1) throw sqlError(ERR.backupNoArch());
  // BAK_USE_AP = 1: "执行备份还原之前就必须启动 DMAP 服务" (备份还原简介 §1.5; MGT §8.2.2 starts it first).
  if (x.bakUseAp !== 2 && dmapRunning() === undefined) throw sqlError(ERR.dmapPipe());
  // "在 MP 和 BP 端生成备份集时会在备份集名称之后各自添加实例名后缀" (MGT §8.2.2.1.1, §8.8.3).
  const target = `${path.resolve(x.cfg.dbDir, dir)}_${x.cfg.instanceName}`;
  if (backupSetDirBusy(target)) throw sqlError(ERR.backupSetExists(target));
  const ctl = readControl(x.cfg.dbDir) ?? x.ctl;
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  writeBackupSet(x.cfg.dbDir, target, {
    name: name ?? `DB_${x.cfg.instanceName}_FULL_${stamp}`, shadow, online: true,
    // A BP-mode direct backup has BAK_MAGIC 0; the MP's and a BS-mode BP's (a cluster backup) their own (MGT §8.8.3.3).
    bakMagic: x.mode === "MP" || x.bs ? newMagic() : 0, sourceIni: x.cfg.iniPath,
    sourceInstance: x.cfg.instanceName, control: ctl, time: new Date().toISOString(),
  });
  x.log.info(`联机备份完成: ${target}`);
  return { kind: "backup" };
}
