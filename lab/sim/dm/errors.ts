/**
 * Every error code and message the DM simulator prints, in one place so that a wrong guess can be
 * corrected once. Codes marked "known" are DM8's own; the others are the simulator's choice where
 * the real code is not documented in the sources we have (the message text follows DM's wording).
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
  // --- SQL front end (known codes) ---
  syntax: () => e(-2007, "语法分析出错"),
  invalidColumn: (c: string) => e(-2111, `无效的列名[${c}]`),
  invalidTable: (t: string) => e(-2106, `无效的表或视图名[${t}]`),
  objectExists: (n: string) => e(-2124, `对象[${n}]已存在`),
  invalidProc: (p: string) => e(-2208, `无效的方法名[${p}]`),
  argCount: (p: string) => e(-2124, `参数个数不匹配[${p}]`),
  argType: (p: string, n: number) => e(-6111, `字符串转换出错(${p} 第${n}个参数)`),
  login: () => e(-2501, "用户名或口令错误"),
  connect: () => e(-70028, "创建SOCKET连接失败"),
  notConnected: () => e(-70019, "未连接到服务器"),
  unknownSet: (o: string) => e(-70001, `未知的SET选项[${o}]`),
  badConnectString: (s: string) => e(-70002, `无效的连接串[${s}]`),
  // --- system state ---
  invalidSysState: () => e(-509, "无效的系统状态"),
  mountOnly: () => e(-510, "数据库处于MOUNT状态,不允许此操作"),
  // --- DMDPC catalog (simulator's codes, DM's wording) ---
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
  raftInGroup: (n: string) => e(-8419, `RAFT组[${n}]仍属于BP组,不能删除`),
  groupHasRafts: (n: string) => e(-8420, `BP组[${n}]中还有RAFT组,不能删除`),
  raftAlreadyInGroup: (n: string) => e(-8421, `RAFT组[${n}]已属于BP组`),
  raftNotInGroup: (r: string, g: string) => e(-8422, `RAFT组[${r}]不属于BP组[${g}]`),
  notBpRaft: (n: string) => e(-8423, `RAFT组[${n}]不是BP类型`),
  instRunning: (n: string) => e(-8424, `实例[${n}]正在运行,不能执行此操作`),
  domainHasMembers: (n: string) => e(-8425, `容错域[${n}]中还有实例`),
  spRaftFull: (n: string) => e(-8426, `SP RAFT组[${n}]中只能有一个SP实例`),
  mpRaftImplicit: () => e(-8427, "MP_RAFT由系统创建,不能重复注册"),
  raftSize: (n: number) => e(-8428, `RAFT组节点数[${n}]必须为奇数且不超过9`),
  dropSelf: (n: string) => e(-8429, `不能删除当前登录的MP实例[${n}]`),
  raftHasData: (n: string) => e(-8430, `RAFT组[${n}]上还有数据,不能删除`),
  nameTooLong: (n: string) => e(-8431, `名称[${n}]过长`),
  noBpGroup: () => e(-8433, "没有可用的BP组,不能创建表"),
  notLeader: () => e(-8432, "当前实例不是RAFT组主库"),
  learnerNotFollowing: (n: string) => e(-8435, `学习者[${n}]尚未跟上主库,不能成为投票成员`),
  // --- online backup through disql (simulator's codes, DM's wording) ---
  backupNotOpen: () => e(-718, "数据库未处于OPEN状态或不是主库, 不能进行联机备份"),
  backupNoArch: () => e(-719, "数据库未开启归档, 不能进行联机备份"),
  backupSetExists: (dir: string) => e(-8116, `备份集目录[${dir}]非空`),
  // --- dmrman (simulator's codes, DM's wording) ---
  rmanRunning: (ini: string) => e(-8003, `数据库[${ini}]正在运行,不能进行脱机备份还原`),
  rmanNoIni: (ini: string) => e(-8002, `dm.ini文件[${ini}]不存在或数据库未初始化`),
  rmanNoBackupSet: (dir: string) => e(-8115, `无效的备份集[${dir}]`),
  rmanBackupSetExists: (dir: string) => e(-8116, `备份集目录[${dir}]非空`),
  rmanPageSize: (a: number, b: number) => e(-8137, `备份集页大小[${a}K]与目标库页大小[${b}K]不匹配`),
  rmanDpcMode: (a: string, b: string) => e(-8138, `备份集DPC_MODE[${a}]与目标库DPC_MODE[${b}]不匹配`),
  rmanNotClean: () => e(-8139, "数据库未正常关闭,不能进行脱机备份"),
  rmanRecoverFirst: (dir: string) => e(-8140, `数据库由联机备份集[${dir}]还原, 需要先执行RECOVER DATABASE ... FROM BACKUPSET`),
  rmanNotRestoredFrom: (dir: string) => e(-8141, `数据库不是由备份集[${dir}]还原的, 不能从该备份集恢复`),
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
