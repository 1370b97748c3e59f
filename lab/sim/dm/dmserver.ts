/**
 * dmserver [INI | path=INI] [-noconsole] [dpc_mode=MP|SP|BP|BS] [MOUNT]: a foreground database
 * process (callers background it). The ini comes positionally or as `path=` (a DmService unit
 * runs `dmserver path=<ini> -noconsole`), relative paths from the working directory.
 * `dpc_mode=BS` starts a database initialised as a BP in BS mode (基本概念和技术指标.md §3.1: a BP
 * that also serves SQL logins like an SP; the node the manual runs a BP group's replica procedures on).
 * Refusals are written to the instance's log (and stdout) and end the process with status 1.
 */
import { readControl } from "./dbfiles";
import { processAlive, takeInjectedFailure } from "./host";
import { loadConfig, ServerConfig, StartRefusal } from "./server/config";
import { ServerLog } from "./server/log";
import { ERR } from "./errors";

interface Args {
  ini: string;
  dpcMode?: string;
  mount: boolean;
}

function parseArgs(argv: string[]): Args {
  let ini: string | undefined;
  let dpcMode: string | undefined;
  let mount = false;
  for (const a of argv) {
    const eq = a.indexOf("=");
    const key = eq > 0 ? a.slice(0, eq).toUpperCase() : "";
    if (key === "DPC_MODE") dpcMode = a.slice(eq + 1).toUpperCase();
    else if (key === "PATH" || key === "INI_PATH") ini = a.slice(eq + 1);
    else if (/^MOUNT$/i.test(a)) mount = true;
    // No console to read `exit` from: the simulator never reads one, so nothing changes.
    else if (/^-noconsole$/i.test(a)) continue;
    else if (eq < 0 && ini === undefined) ini = a;
    else throw new StartRefusal(`无效的参数[${a}]`);
  }
  if (!ini) throw new StartRefusal("请指定dm.ini文件路径. 用法: dmserver [INI_PATH|path=INI_PATH] [-noconsole] [DPC_MODE=MP|SP|BP|BS] [MOUNT]");
  return { ini, dpcMode, mount };
}

async function main(): Promise<void> {
  let log: ServerLog | undefined;
  try {
    const args = parseArgs(process.argv.slice(2));
    const cfg: ServerConfig = loadConfig(args.ini);
    log = new ServerLog(cfg.dbDir, cfg.instanceName);
    log.info(`DM Database Server 64 V8 startup... ini[${args.ini}] dpc_mode[${args.dpcMode ?? ""}]${args.mount ? " MOUNT" : ""}`);
    if (takeInjectedFailure("dmserver")) throw new StartRefusal("启动失败: 初始化系统资源失败(注入故障)");
    const ctl = readControl(cfg.dbDir);
    if (!ctl) throw new StartRefusal(`数据库控制文件[${cfg.dbDir}/dm.ctl]不存在或已损坏, 请先用dminit初始化数据库`);
    if (ctl.state === "RUNNING" && processAlive(ctl.pid) && ctl.pid !== process.pid) {
      throw new StartRefusal(`实例[${cfg.instanceName}]已在运行(pid ${ctl.pid})`);
    }
    if (!ctl.dpcMode) throw new StartRefusal("数据库初始化时未指定DPC_MODE, 不能以DMDPC方式启动");
    if (!args.dpcMode) throw new StartRefusal(`DMDPC实例启动时必须指定dpc_mode(初始化时为${ctl.dpcMode})`);
    const bs = args.dpcMode === "BS" && ctl.dpcMode === "BP";
    if (args.dpcMode !== ctl.dpcMode && !bs) throw new StartRefusal(`启动参数dpc_mode[${args.dpcMode}]与初始化时的DPC_MODE[${ctl.dpcMode}]不一致`);
    if (cfg.iniDpcMode && cfg.iniDpcMode !== ctl.dpcMode) throw new StartRefusal(`dm.ini中的DPC_MODE[${cfg.iniDpcMode}]与初始化时的DPC_MODE[${ctl.dpcMode}]不一致`);
    if (ctl.magicPending) throw new StartRefusal(`[${ERR.magicNotUpdated().code}]:${ERR.magicNotUpdated().message}`);
    if (ctl.instanceName.toUpperCase() !== cfg.instanceName.toUpperCase()) {
      log.warn(`dm.ini中的INSTANCE_NAME[${cfg.instanceName}]与初始化时的实例名[${ctl.instanceName}]不同`);
    }
    if (ctl.state !== "CLEAN") {
      log.warn("数据库上次未正常关闭, 需要重做REDO日志 (REDO replay needed)");
      log.info("REDO日志重做完成");
    }
    if (cfg.apPortNum !== undefined && cfg.apPortNum === cfg.portNum) throw new StartRefusal(`PORT_NUM[${cfg.portNum}]与AP_PORT_NUM冲突`);
    const { DmServer } = await import("./server/server");
    const server = new DmServer(cfg, ctl, ctl.dpcMode, args.mount, log, bs);
    await server.start();
  } catch (err) {
    if (!(err instanceof StartRefusal)) throw err;
    if (log) log.error(`${err.message}, 启动失败`);
    else process.stdout.write(`${err.message}, 启动失败\n`);
    process.exit(1);
  }
}

void main();
