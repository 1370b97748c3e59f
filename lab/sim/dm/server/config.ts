/**
 * What dmserver reads from disk at start: dm.ini, dmarch.ini (when ARCH_INI = 1) and mp.ini, all
 * from the instance's database directory. Problems are StartRefusals: logged, then exit non-zero.
 */
import * as fs from "fs";
import * as path from "path";
import { dbDirOf } from "../dbfiles";
import { globalValue, intValue, IniFile, parseIni } from "../ini";

export class StartRefusal extends Error {}

export interface RaftPeer {
  name: string;
  id: number;
}

/** A dmarch.ini RAFT or LEARNER section: the peer, and the address it names when it names one. */
export interface ArchPeer extends RaftPeer {
  /** ARCH_TYPE = LEARNER: a fellow learner added together with this one (MGT §8.2.2). */
  learner: boolean;
  ip?: string;
  port?: number;
}

export interface ArchConfig {
  selfId?: number;
  voteInterval?: number;
  hbInterval?: number;
  learner: boolean;
  /** XMAL_IP / XMAL_PORT: the node's own address as the manual's learner example writes it. */
  xmalIp?: string;
  xmalPort?: number;
  peers: ArchPeer[];
  localDests: string[];
}

export interface MpEndpoint {
  section: string; // "" for the single mp_host / mp_port form, else MP1, MP2, ...
  host: string;
  port: number;
}

export interface ServerConfig {
  iniPath: string;
  dbDir: string;
  instanceName: string;
  portNum: number;
  apPortNum?: number;
  iniDpcMode?: string;
  archIni: number;
  alterModeStatus: number;
  /** BAK_USE_AP: 1 (the default) backs up through the host's DMAP, 2 in dmserver itself (备份还原简介 §1.5). */
  bakUseAp: number;
  arch?: ArchConfig;
  mp: MpEndpoint[];
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

export function loadConfig(iniPath: string): ServerConfig {
  const text = readIfExists(iniPath);
  if (text === undefined) throw new StartRefusal(`ini文件[${iniPath}]不存在`);
  const ini = parseIni(text);
  const dbDir = dbDirOf(iniPath, ini);
  const instanceName = globalValue(ini, "INSTANCE_NAME") ?? "DMSERVER";
  const portNum = intValue(globalValue(ini, "PORT_NUM") ?? "5236");
  if (portNum === undefined) throw new StartRefusal(`无效的PORT_NUM[${globalValue(ini, "PORT_NUM")}]`);
  const apRaw = globalValue(ini, "AP_PORT_NUM");
  const apPortNum = apRaw === undefined ? undefined : intValue(apRaw);
  if (apRaw !== undefined && apPortNum === undefined) throw new StartRefusal(`无效的AP_PORT_NUM[${apRaw}]`);
  const archIni = intValue(globalValue(ini, "ARCH_INI") ?? "0") ?? 0;
  const alterModeStatus = intValue(globalValue(ini, "ALTER_MODE_STATUS") ?? "1") ?? 1;
  const bakUseAp = intValue(globalValue(ini, "BAK_USE_AP") ?? "1") ?? 1;
  const modeRaw = globalValue(ini, "DPC_MODE");
  const iniDpcMode = modeRaw === undefined || modeRaw === "0" ? undefined : modeRaw.toUpperCase();
  let arch: ArchConfig | undefined;
  if (archIni === 1) {
    const archText = readIfExists(path.join(dbDir, "dmarch.ini"));
    if (archText === undefined) throw new StartRefusal(`ARCH_INI = 1,但归档配置文件[${path.join(dbDir, "dmarch.ini")}]不存在`);
    arch = parseArch(parseIni(archText));
  }
  const mpText = readIfExists(path.join(dbDir, "mp.ini"));
  const mp = mpText === undefined ? [] : parseMp(parseIni(mpText));
  return { iniPath, dbDir, instanceName, portNum, apPortNum, iniDpcMode, archIni, alterModeStatus, bakUseAp, arch, mp };
}

function parseArch(ini: IniFile): ArchConfig {
  const num = (k: string) => {
    const v = globalValue(ini, k);
    if (v === undefined) return undefined;
    const n = intValue(v);
    if (n === undefined) throw new StartRefusal(`dmarch.ini中[${k}]的值[${v}]无效`);
    return n;
  };
  const arch: ArchConfig = {
    selfId: num("RAFT_SELF_ID"), voteInterval: num("RAFT_VOTE_INTERVAL"), hbInterval: num("RAFT_HB_INTERVAL"),
    learner: num("RAFT_LEARNER") === 1, xmalIp: globalValue(ini, "XMAL_IP"), xmalPort: num("XMAL_PORT"), peers: [], localDests: [],
  };
  for (const s of ini.sections.slice(1)) {
    const type = (s.values.get("ARCH_TYPE") ?? "").toUpperCase();
    if (type === "RAFT" || type === "LEARNER") {
      const dest = s.values.get("ARCH_DEST");
      const id = intValue(s.values.get("ARCH_DEST_ID"));
      if (!dest || id === undefined) throw new StartRefusal(`dmarch.ini中[${s.name}]缺少ARCH_DEST或ARCH_DEST_ID`);
      const portRaw = s.values.get("ARCH_DEST_PORT");
      const port = portRaw === undefined ? undefined : intValue(portRaw);
      if (portRaw !== undefined && port === undefined) throw new StartRefusal(`dmarch.ini中[${s.name}]的ARCH_DEST_PORT[${portRaw}]无效`);
      arch.peers.push({ name: dest, id, learner: type === "LEARNER", ip: s.values.get("ARCH_DEST_IP"), port });
    } else if (type === "LOCAL") {
      const dest = s.values.get("ARCH_DEST");
      if (!dest) throw new StartRefusal(`dmarch.ini中[${s.name}]缺少ARCH_DEST`);
      arch.localDests.push(dest);
    } else if (s.name.startsWith("ARCHIVE_")) {
      throw new StartRefusal(`dmarch.ini中[${s.name}]的ARCH_TYPE[${type}]无效`);
    }
  }
  return arch;
}

function parseMp(ini: IniFile): MpEndpoint[] {
  const out: MpEndpoint[] = [];
  const add = (section: string, values: Map<string, string>) => {
    const host = values.get("MP_HOST");
    const port = intValue(values.get("MP_PORT"));
    if (host && port !== undefined) out.push({ section, host, port });
    else if (host || values.has("MP_PORT")) throw new StartRefusal(`mp.ini中${section ? `[${section}]` : ""}的mp_host/mp_port无效`);
  };
  add("", ini.sections[0].values);
  for (const s of ini.sections.slice(1)) add(s.name, s.values);
  return out;
}
