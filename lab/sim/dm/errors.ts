/**
 * Every error code and message the DM simulator prints, in one place so that a wrong guess can be
 * corrected once. Entries under a "manual" heading are DM8's own code and text as the DM8 manual
 * prints them (the section is named; see shared/spec/dm8-manual-check.md §E). Entries under a
 * "GUESS" heading are the simulator's choice where the manual gives no code or no text: the
 * wording follows DM's, the code is ours, and a real DM may print something else.
 */

export interface DmError {
  readonly code: number;
  readonly message: string;
}

/** A thrown error that disql prints as `第N 行附近出现错误[code]:message.` */
export class SqlError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly line = 1,
  ) {
    super(message);
  }
}

const e = (code: number, message: string): DmError => ({ code, message });

export const ERR = {
  // --- SQL front end: manual (FAQ 错误码; DIsql 常用命令 l.913; DIsql 环境变量设置 l.1244) ---
  syntax: () => e(-2007, "语法分析出错"),
  invalidColumn: (c: string) => e(-2111, `无效的列名[${c}]`),
  invalidTable: (t: string) => e(-2106, `无效的表或视图名[${t}]`),
  // manual: DMSQL 程序中的 SQL 语句 l.891, "[-5402] 参数个数不匹配."
  argCount: () => e(-5402, "参数个数不匹配"),
  // manual: FAQ 错误码 l.795 (the code; the parenthesis is ours)
  argType: (p: string, n: number) => e(-6111, `字符串转换出错(${p} 第${n}个参数)`),
  // manual: SQL 语言使用手册 附录 l.8533
  login: () => e(-2501, "用户名或密码错误"),
  // manual: DIsql 环境变量设置 l.1302, l.1267
  connect: () => e(-70028, "创建SOCKET连接失败"),
  notConnected: () => e(-70019, "网络通讯失败"),
  // --- SQL front end: GUESS ---
  // The text is seen in DM's FAQ without its code.
  objectExists: (n: string) => e(-2124, `对象[${n}]已存在`),
  // The FAQ shows "无效的过程/函数名" without a code.
  invalidProc: (p: string) => e(-2208, `无效的方法名[${p}]`),
  // disql's own text for these is not in the manual; the DPI table gives -70001 / -70002 other
  // meanings (无效的数据缓冲区 / 无效的数据长度), so these codes are certainly not DM's.
  unknownSet: (o: string) => e(-70001, `未知的SET选项[${o}]`),
  badConnectString: (s: string) => e(-70002, `无效的连接串[${s}]`),
  // SP_SET_PARA_VALUE of a name dm.ini does not have: the manual gives -3503 无效的函数参数 for a
  // wrong name given to SF_GET_PARA_VALUE (FAQ 错误码 l.1019), none for the procedure; taken here too.
  unknownPara: () => e(-3503, "无效的函数参数"),
  // SP_SET_PARA_VALUE(inst_name, ...) naming another instance: DM sends it there (附录 3); the lab
  // does not route it and says so rather than pretend it was applied.
  paraOtherInstance: (n: string) => e(-3503, `无效的函数参数(实例[${n}]不是当前实例)`),
  // --- system state: the texts are the manual's (DMDPC 集群部署 l.189, l.582), the codes GUESS ---
  invalidSysState: () => e(-509, "无效的系统状态"),
  mountOnly: () => e(-510, "数据库处于MOUNT状态,不允许此操作"),
  // --- dmserver start: manual (FAQ 错误码 l.504) ---
  magicNotUpdated: () => e(-129, "RESTORE/RECOVER 还原恢复后的库，需执行'recover database ... update db_magic'更新 DB_MAGIC 值后才能启动"),
  // --- DMDPC catalog: GUESS (the manual publishes no DMDPC code; PRG's -8401..-8700 is 作业管理错误) ---
  notMp: () => e(-8401, "当前实例不是MP,不能执行DPC元数据操作"),
  notSp: () => e(-8434, "用户表只能通过SP实例创建或删除"),
  notMpLeader: () => e(-8402, "当前MP不是RAFT组主库,不能修改元数据"),
  selfNotRegistered: (n: string) => e(-8403, `当前登录的MP实例[${n}]尚未注册`),
  instExists: (n: string) => e(-8404, `实例[${n}]已存在`),
  instNotFound: (n: string) => e(-8405, `实例[${n}]不存在`),
  raftExists: (n: string) => e(-8406, `RAFT组[${n}]已存在`),
  raftNotFound: (n: string) => e(-8407, `RAFT组[${n}]不存在`),
  groupExists: (n: string) => e(-8408, `BP组[${n}]已存在`),
  groupNotFound: (n: string) => e(-8409, `BP组[${n}]不存在`),
  domainExists: (n: string) => e(-8410, `容错域[${n}]已存在`),
  domainNotFound: (n: string) => e(-8411, `容错域[${n}]不存在`),
  portConflict: (ip: string, p: number) => e(-8412, `IP[${ip}]上的端口[${p}]已被使用`),
  modeMismatch: (inst: string, raft: string) => e(-8413, `实例[${inst}]的DPC_MODE与RAFT组[${raft}]不一致`),
  invalidMode: (m: string) => e(-8414, `无效的DPC_MODE[${m}]`),
  invalidSysMode: (m: string) => e(-8415, `无效的SYS_MODE[${m}]`),
  spInDomain: (n: string) => e(-8416, `SP实例[${n}]不能加入容错域`),
  sameRaftInDomain: (n: string, d: string) => e(-8417, `实例[${n}]与同RAFT组的实例已在容错域[${d}]中`),
  raftHasMembers: (n: string) => e(-8418, `RAFT组[${n}]中还有实例,不能删除`),
  groupHasRafts: (n: string) => e(-8420, `BP组[${n}]中还有RAFT组,不能删除`),
  raftAlreadyInGroup: (n: string) => e(-8421, `RAFT组[${n}]已属于BP组`),
  raftNotInGroup: (r: string, g: string) => e(-8422, `RAFT组[${r}]不属于BP组[${g}]`),
  notBpRaft: (n: string) => e(-8423, `RAFT组[${n}]不是BP类型`),
  instRunning: (n: string) => e(-8424, `实例[${n}]正在运行,不能执行此操作`),
  domainHasMembers: (n: string) => e(-8425, `容错域[${n}]中还有实例`),
  spRaftFull: (n: string) => e(-8426, `SP RAFT组[${n}]中只能有一个SP实例`),
  mpRaftImplicit: () => e(-8427, "MP_RAFT由系统创建,不能重复注册"),
  raftSize: (n: number) => e(-8428, `RAFT组节点数[${n}]必须为奇数且不超过9`),
  dropSelf: (n: string) => e(-8429, `不能删除当前登录的实例[${n}]`),
  // The rule is the manual's (an instance of a RAFT group whose RAFT_ID table objects use); code and text are ours.
  raftHasData: (inst: string, raft: string) => e(-8430, `RAFT组[${raft}]的RAFT_ID已被表对象使用,不能删除实例[${inst}]`),
  // The rules are the manual's (DMDPC的关键技术 §5.20; DMDPC配置 §6.2.8); codes and texts are ours.
  shadowOnline: (n: string) => e(-8436, `不支持对影子库节点[${n}]执行动态增加和删除`),
  shadowHalf: (shadows: number, total: number) => e(-8437, `影子库的数量[${shadows}]不能超过节点数量[${total}]的一半`),
  lastInstance: (n: string) => e(-8438, `实例[${n}]是RAFT组中最后一个实例,不能删除`),
  nameTooLong: (n: string) => e(-8431, `名称[${n}]过长`),
  // The rule is the manual's (DM8 §8.3: no table before a user tablespace); code and text are ours.
  noUserTablespace: () => e(-8433, "没有用户表空间,不能创建表"),
  tablespaceNotFound: (n: string) => e(-8439, `表空间[${n}]不存在`),
  tablespaceInUse: (n: string) => e(-8440, `表空间[${n}]中还有对象,不能删除`),
  notLeader: () => e(-8432, "当前实例不是RAFT组主库"),
  // SP_ADD_RAFT_LEARNER's DEST/DEST_IP/DEST_PORT/DEST_ID checked against the registration (GUESS:
  // the manual says what the arguments are, not how DM refuses wrong ones).
  learnerIsMember: (n: string) => e(-8441, `实例[${n}]已是RAFT组的投票成员`),
  learnerAddress: (n: string, ip: string, port: number) => e(-8442, `学习者[${n}]的IP[${ip}]或端口[${port}]与MP中注册的XMAL_IP/XMAL_PORT不一致`),
  learnerId: (n: string, id: number) => e(-8443, `学习者[${n}]的RAFT编号[${id}]无效或已被使用`),
  // The replica procedures on a BP not started in BS mode (GUESS: the manual says to log in to the
  // BS-mode BP leader, DMDPC 集群的管理与使用 §8.2.2, not what a BP-mode BP answers).
  notBsMode: () => e(-8444, "当前BP实例未以BS模式启动,不能执行该过程"),
  // SP_DELETE_RAFT_NODE of a node not in the group's configuration (GUESS: the manual gives the
  // procedure, DMDPC配置 §6.2.24, not how DM refuses such a name).
  notRaftNode: (n: string, raft: string) => e(-8445, `实例[${n}]不是RAFT组[${raft}]当前配置中的节点`),
  learnerNotFollowing: (n: string) => e(-8435, `学习者[${n}]尚未跟上主库,不能成为投票成员`),
  // --- online backup through disql: GUESS (the preconditions are the manual's, BAK l.30-45, l.523) ---
  backupNotOpen: () => e(-718, "数据库未处于OPEN状态或不是主库, 不能进行联机备份"),
  backupNoArch: () => e(-719, "数据库未开启归档, 不能进行联机备份"),
  backupSetExists: (dir: string) => e(-8116, `备份集目录[${dir}]非空`),
  // Backup with BAK_USE_AP / USE_AP = 1 and no DMAP on the host: manual (FAQ 备份还原 "[-8109]: 创建 DMAP 管道失败").
  dmapPipe: () => e(-8109, "创建DMAP管道失败，请检查DMAP是否已经启动"),
  // --- dmrman: manual (FAQ 备份还原 l.199-210) ---
  rmanRunning: () => e(-137, "服务器正在运行或者存在其他进程正在操作同一个库"),
  // --- dmrman: GUESS (codes in the manual's 备份恢复 range -8001..-8400) ---
  rmanNoIni: (ini: string) => e(-8002, `dm.ini文件[${ini}]不存在或数据库未初始化`),
  rmanNoBackupSet: (dir: string) => e(-8115, `无效的备份集[${dir}]`),
  rmanBackupSetExists: (dir: string) => e(-8116, `备份集目录[${dir}]非空`),
  rmanPageSize: (a: number, b: number) => e(-8137, `备份集页大小[${a}K]与目标库页大小[${b}K]不匹配`),
  rmanDpcMode: (a: string, b: string) => e(-8138, `备份集DPC_MODE[${a}]与目标库DPC_MODE[${b}]不匹配`),
  rmanNotClean: () => e(-8139, "数据库未正常关闭,不能进行脱机备份"),
  rmanRecoverFirst: (dir: string) => e(-8140, `数据库由联机备份集[${dir}]还原, 需要先执行RECOVER DATABASE ... FROM BACKUPSET`),
  rmanNotRestoredFrom: (dir: string) => e(-8141, `数据库不是由备份集[${dir}]还原的, 不能从该备份集恢复`),
  // manual: the text of -8379 (dm8-manual-check.md C, FAQ 备份还原)
  rmanBakMagic: () => e(-8379, "指定的BAK MAGIC值与备份集不匹配"),
  rmanSyntax: (s: string) => e(-8001, `语法分析出错: ${s}`),
  // --- tool start failures (printed by dminit / dmrman / dmserver) ---
  injected: (tool: string) => e(-1, `${tool} 执行失败(注入故障)`),
} as const;

export function sqlError(err: DmError, line = 1): SqlError {
  return new SqlError(err.code, err.message, line);
}

/** disql's way of printing a statement error. */
export function formatStatementError(code: number, message: string, line: number): string {
  return `第${line} 行附近出现错误[${code}]:${message}.`;
}

/** disql's way of printing a login/connection error (no line prefix). */
export function formatPlainError(code: number, message: string): string {
  return `[${code}]:${message}.`;
}
