/**
 * One running dmserver: its listeners (PORT_NUM for disql, AP_PORT_NUM between instances, and on an
 * MP the mp_port for SP/BP sessions), its place in the DMDPC catalog, its RAFT role, and its exits.
 */
import * as net from "net";
import * as path from "path";
import { DbControl, DpcMode, hashPassword, updateControl } from "../dbfiles";
import { ERR, SqlError, sqlError } from "../errors";
import { hostAddr, removePidFile, writePidFile } from "../host";
import { listen, Msg, onMessages, reply, send, Session } from "../wire";
import { Catalog } from "./catalog";
import { CatalogData, InstanceRow, type Value } from "./catalog-data";
import { loadCatalog, persistCatalog } from "./catalog-store";
import { ServerConfig, StartRefusal } from "./config";
import { installExits } from "./console";
import { ServerLog } from "./log";
import { checkMpPort, ownMpEndpoint } from "./mp-endpoint";
import { MpService } from "./mp-service";
import { attachToMp, reattachToMp } from "./mp-session";
import { onlineBackup } from "./online-backup";
import { procedureArity, runsThroughMp } from "./procedures";
import { RaftNode } from "./raft";
import { planRaft } from "./raft-plan";
import { LEADER_PROCEDURES } from "./raft-procedures";
import { getParaValue, setParaValue } from "./para";
import { parseStatement } from "./sql";
import { CATALOG_TABLES, catalogRows, evaluate, localInstanceRow, localRaftRow, TABLES } from "./tables";

export class DmServer {
  private catalog?: Catalog;
  private mpSession?: Session;
  private raft?: RaftNode;
  private servers: net.Server[] = [];
  private readonly mp: MpService;
  private registered?: InstanceRow;
  private exiting = false;
  private finished = false;
  private readonly startTime = new Date().toISOString().replace("T", " ").slice(0, 19);
  private execNo = 1000;
  /** dm.ini's BAK_USE_AP, then what SP_SET_PARA_VALUE set in memory. */
  private bakUseAp: number;

  constructor(
    private readonly cfg: ServerConfig,
    private ctl: DbControl,
    private readonly mode: DpcMode,
    private readonly mount: boolean,
    private readonly log: ServerLog,
    /** A BP started with dpc_mode=BS: it also serves SQL as an SP does (DDL, catalog reads) and runs its group's replica procedures when it leads. */
    private readonly bs = false,
  ) {
    this.bakUseAp = cfg.bakUseAp;
    this.mp = new MpService(
      {
        catalog: () => this.catalog!,
        servingCatalog: () => this.servingCatalog(),
        persist: () => this.persist(),
        publish: () => void this.publish(),
        runCatalogCall: (name, args, self) => this.runCatalogCall(name, args, self),
      },
      this.log,
    );

  }

  // ---------------------------------------------------------------- start

  async start(): Promise<void> {
    let sqlPort = this.cfg.portNum;
    let apPort = this.cfg.apPortNum;
    if (this.mode === "MP") {
      this.catalog = new Catalog(loadCatalog(this.cfg.dbDir));
      this.registered = this.catalog.instance(this.cfg.instanceName);
    } else {
      await this.attachToMp();
    }
    if (this.registered) {
      if (this.registered.instPort !== sqlPort || this.registered.xmalPort !== apPort) {
        this.log.info(`使用MP中注册的端口: PORT_NUM=${this.registered.instPort} AP_PORT_NUM=${this.registered.xmalPort}`);
      }
      sqlPort = this.registered.instPort;
      apPort = this.registered.xmalPort;
    }
    if (apPort === undefined) throw new StartRefusal("DMDPC实例必须配置AP_PORT_NUM");
    if (sqlPort === apPort) throw new StartRefusal(`PORT_NUM[${sqlPort}]与AP_PORT_NUM[${apPort}]冲突`);
    const mpEndpoint = this.mode === "MP" ? ownMpEndpoint(this.cfg, this.catalog!) : undefined;
    if (mpEndpoint) checkMpPort(this.catalog!, mpEndpoint, sqlPort, apPort);
    const raftPlan = planRaft({
      cfg: this.cfg, ctl: this.ctl, mode: this.mode, mount: this.mount, log: this.log, registered: this.registered,
      catalog: () => this.catalog,
      onChange: () => void this.publish(),
      onReplicatedCatalog: this.mode === "MP" ? (p) => this.applyReplicatedCatalog(p as CatalogData) : undefined,
      onExitAll: () => void this.finish("exit all"),
    });

    const addr = hostAddr();
    await this.bind(addr, sqlPort, "PORT_NUM", (s) => this.serveSql(s));
    await this.bind(addr, apPort, "AP_PORT_NUM", (s) => this.serveAp(s));
    if (mpEndpoint) await this.bind(addr, mpEndpoint.port, "MP_PORT", (s) => this.mp.serve(s));

    this.ctl = updateControl(this.cfg.dbDir, (c) => {
      c.state = "RUNNING";
      c.pid = process.pid;
    })!;
    installExits((kind) => void this.exit(kind));

    if (raftPlan) {
      this.raft = raftPlan;
      this.log.info(`数据库启动到MOUNT状态, 等待RAFT组选举`);
      raftPlan.start();
    } else {
      this.log.info(this.mount ? "SYSTEM IS READY. 数据库处于MOUNT状态" : "SYSTEM IS READY. 数据库处于OPEN状态");
      if (!this.mount) updateControl(this.cfg.dbDir, (c) => (c.openedOnce = true));
    }
    await this.publish();
    // Last: whoever waits for the pid file then finds the instance already in the catalog's state.
    writePidFile(this.cfg.instanceName);
  }

  private async bind(addr: string, port: number, what: string, onConn: (s: net.Socket) => void): Promise<void> {
    try {
      this.servers.push(await listen(addr, port, onConn));
      this.log.info(`${what} ${addr}:${port} 监听成功`);
    } catch (err) {
      throw new StartRefusal(`${what}端口[${addr}:${port}]监听失败: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }

  /** SP/BP: find the serving MP in mp.ini and check that this instance is registered. */
  private persist(): void {
    if (this.catalog) persistCatalog(this.cfg.dbDir, this.catalog.data);
  }

  private async attachToMp(): Promise<void> {
    const { session, catalog } = await attachToMp(this.cfg, this.mode, this.log, (m) => this.onMpPush(m), () => this.onMpLost());
    this.mpSession = session;
    this.catalog = new Catalog(catalog);
    this.registered = this.catalog.instance(this.cfg.instanceName);
  }

  private applyReplicatedCatalog(data: CatalogData): void {
    if (!this.catalog || data.version !== this.catalog.data.version) {
      this.catalog = new Catalog(data);
      this.persist();
    }
  }

  // ---------------------------------------------------------------- state

  private get open(): boolean {
    return this.raft ? this.raft.valid : !this.mount;
  }

  /** The row values this instance reports for itself. */
  private selfState(): Pick<InstanceRow, "sysMode" | "sysStatus" | "status"> {
    const me = this.registered;
    if (this.raft) {
      if (this.raft.role === "LEADER") return { sysMode: "PRIMARY", sysStatus: 4, status: 1 };
      if (this.raft.valid) return { sysMode: "STANDBY", sysStatus: 4, status: 1 };
      return { sysMode: "STANDBY", sysStatus: 3, status: 0 };
    }
    const sysMode = me?.sysMode ?? "NORMAL";
    const status = sysMode === "NORMAL" ? 1 : me?.status ?? 0;
    return { sysMode, sysStatus: this.mount ? 3 : 4, status };
  }

  private raftInfo() {
    if (!this.raft) return undefined;
    return { selfId: this.raft.o.self.id, role: this.raft.role, term: this.raft.term, leader: this.raft.leader, shadow: this.raft.o.shadow };
  }

  /** Reports this instance's state to the catalog (directly on an MP, over the session otherwise). */
  private async publish(): Promise<void> {
    if (this.finished || !this.registered) return;
    const state = this.selfState();
    if (this.mode === "MP") {
      if (this.raft && this.raft.role !== "LEADER") return; // the MP leader writes the MP rows
      let changed = this.catalog!.report(this.registered.name, state, this.raftInfo());
      if (this.raft) changed = this.reportMpFollowers() || changed;
      if (changed) this.persist();
      return;
    }
    await this.mpSession?.call({ op: "status", name: this.registered.name, ...state, raft: this.raftInfo() });
  }

  private reportMpFollowers(): boolean {
    let changed = false;
    for (const m of this.catalog!.members(0)) {
      if (m.name === this.registered!.name) continue;
      const live = this.raft!.liveFollowers.get(m.name);
      const peer = this.raft!.peers().find((p) => p.name.toUpperCase() === m.name.toUpperCase());
      const state = live ? { sysMode: "STANDBY", sysStatus: 4, status: 1 } : { sysStatus: 6 };
      const info = live && peer ? { selfId: peer.id, role: "FOLLOWER", term: this.raft!.term, leader: this.registered!.name, shadow: live.shadow } : undefined;
      changed = this.catalog!.report(m.name, state, info) || changed;
    }
    return changed;
  }

  // ---------------------------------------------------------------- MP side

  private servingCatalog(): boolean {
    return this.mode === "MP" && (this.raft ? this.raft.role === "LEADER" : !this.mount);
  }

  // ---------------------------------------------------------------- SP/BP side of the MP session

  private onMpPush(m: Msg): void {
    // Catalog changes reach running SPs/BPs at once: a BP leader takes in a learner without a restart.
    if (m.op === "catalog" && m.catalog) this.catalog = new Catalog(m.catalog as CatalogData);
    if (m.op === "halt") this.halt(`${String(m.reason)}, 退出顺序错误, 系统强制HALT`);
  }

  private onMpLost(): void {
    if (this.finished) return;
    void reattachToMp(this.cfg, this.mode, () => this.finished, (m) => this.onMpPush(m), () => this.onMpLost()).then(async (session) => {
      if (this.finished) return;
      if (!session) return this.halt("与MP的连接断开(MP已退出), 系统强制HALT");
      this.mpSession = session;
      await this.publish();
    });
  }

  // ---------------------------------------------------------------- AP port

  private serveAp(sock: net.Socket): void {
    onMessages(sock, (m) => {
      if (typeof m.op === "string" && m.op.startsWith("raft_")) {
        const r = this.raft ? this.raft.handle(m) : { ok: false, granted: false, reason: `实例[${this.cfg.instanceName}]未以RAFT方式运行` };
        send(sock, r);
      } else send(sock, { ok: true, name: this.cfg.instanceName, mode: this.mode, open: this.open });
    });
  }

  // ---------------------------------------------------------------- SQL port

  private serveSql(sock: net.Socket): void {
    let loggedIn = false;
    onMessages(sock, (m) => {
      void (async () => {
        if (m.op === "login") {
          const ok = String(m.user ?? "").toUpperCase() === "SYSDBA" && hashPassword(this.ctl.pwdSalt, String(m.pwd ?? "")) === this.ctl.pwdHash;
          if (!ok) return reply(sock, m, { ok: false, code: ERR.login().code, message: ERR.login().message });
          loggedIn = true;
          return reply(sock, m, { ok: true, status: this.open ? "OPEN" : "MOUNT", instance: this.cfg.instanceName });
        }
        if (m.op === "exec") {
          if (!loggedIn) return reply(sock, m, { ok: false, code: ERR.login().code, message: ERR.login().message, line: 1 });
          try {
            const result = await this.exec(String(m.sql ?? ""));
            return reply(sock, m, { ok: true, execNo: ++this.execNo, ...result });
          } catch (err) {
            if (err instanceof SqlError) return reply(sock, m, { ok: false, code: err.code, message: err.message, line: err.line });
            this.log.error(`执行出错: ${String(err)}`);
            return reply(sock, m, { ok: false, code: -1, message: String(err), line: 1 });
          }
        }
        return reply(sock, m, { ok: false, code: -1, message: "unknown request", line: 1 });
      })();
    });
  }

  /** A catalog procedure on the MP, all or nothing; the change reaches every attached SP/BP at once. */
  private runCatalogCall(name: string, args: Value[], self: string): void {
    const snapshot = JSON.stringify(this.catalog!.data);
    try {
      this.catalog!.call(name, args, self);
    } catch (err) {
      this.catalog!.data = JSON.parse(snapshot) as CatalogData;
      throw err;
    }
    this.persist();
    this.mp.broadcast(this.catalog!.data);
  }

  private async freshCatalog(): Promise<Catalog> {
    if (this.mode === "MP") return this.catalog!;
    const r = await this.mpSession?.call({ op: "catalog" });
    if (!r?.ok) throw sqlError(ERR.invalidSysState());
    return new Catalog(r.catalog as CatalogData);
  }

  private async exec(sql: string): Promise<Msg> {
    const stmt = parseStatement(sql);
    if (stmt.kind === "function") {
      if (stmt.name.toUpperCase() !== "SF_GET_PARA_VALUE") throw sqlError(ERR.invalidProc(stmt.name));
      const column = stmt.alias ?? `${stmt.name}(${stmt.args.map((a) => (typeof a === "string" ? `'${a}'` : String(a))).join(",")})`;
      return { kind: "rows", ...getParaValue(this.cfg.iniPath, stmt.args, { BAK_USE_AP: this.bakUseAp }, column) };
    }
    if (stmt.kind === "call" && stmt.name.toUpperCase() === "SP_SET_PARA_VALUE") {
      const v = setParaValue(this.cfg.iniPath, stmt.args, this.cfg.instanceName);
      if (v.name === "BAK_USE_AP" && v.memory) this.bakUseAp = v.value;
      return { kind: "proc" };
    }
    if (stmt.kind === "call" && LEADER_PROCEDURES.has(stmt.name.toUpperCase())) return this.leaderCall(stmt.name, stmt.args);
    if (stmt.kind === "call") {
      if (runsThroughMp(this.bs ? "BS" : this.mode, stmt.name)) {
        if (!this.open) throw sqlError(ERR.mountOnly());
        const r = await this.mpSession?.call({ op: "call", name: stmt.name, args: stmt.args, self: this.cfg.instanceName });
        if (!r?.ok) throw r?.code === undefined ? sqlError(ERR.invalidSysState()) : new SqlError(Number(r.code), String(r.message));
        return { kind: "proc" };
      }
      if (this.mode !== "MP") throw sqlError(ERR.notMp());
      if (!this.open) throw sqlError(ERR.mountOnly());
      if (this.raft && this.raft.role !== "LEADER") throw sqlError(ERR.notMpLeader());
      this.runCatalogCall(stmt.name, stmt.args, this.cfg.instanceName);
      // The MP's own row keeps its registered values (SYS_STATUS 6, as the seed lists it) until the
      // first SP/BP attaches or the MP restarts.
      this.registered ??= this.catalog!.instance(this.cfg.instanceName);
      return { kind: "proc" };
    }
    if (stmt.kind === "ddl" || stmt.kind === "tablespace") {
      // User tables and tablespaces live on the BPs and are reached through an SP or a BS-mode BP
      // (which serves SQL as an SP does); the MP only records where.
      if (this.mode !== "SP" && !this.bs) throw sqlError(ERR.notSp());
      if (!this.open) throw sqlError(ERR.mountOnly());
      if (!(await this.freshCatalog()).bpAvailable()) throw sqlError(ERR.invalidSysState());
      const r = await this.mpSession?.call({ op: "ddl", ...stmt });
      if (!r?.ok) throw r?.code === undefined ? sqlError(ERR.invalidSysState()) : new SqlError(Number(r.code), String(r.message));
      return { kind: "ddl" };
    }
    if (stmt.kind === "backup") return onlineBackup(
        { cfg: this.cfg, ctl: this.ctl, mode: this.mode, bs: this.bs, serving: this.open && (!this.raft || this.raft.role === "LEADER"), bakUseAp: this.bakUseAp, log: this.log },
        stmt.name, stmt.dir, stmt.shadow,
      );
    const table = stmt.table;
    if (!TABLES[table]) throw sqlError(ERR.invalidTable(table));
    if (CATALOG_TABLES.has(table) && this.mode === "BP" && !this.bs) throw sqlError(ERR.invalidTable(table));
    let rows;
    if (table === "V$RLOG_RAFT_INFO") {
      rows = [localRaftRow(this.raft && { term: this.raft.term, role: this.raft.role, leader: this.raft.leader, shadow: this.raft.o.shadow }, !!this.ctl.shadow)];
    } else if (table === "V$INSTANCE" && this.mode !== "SP") {
      const s = this.selfState();
      rows = [localInstanceRow({ name: this.cfg.instanceName, hostAddr: hostAddr(), status: this.open ? "OPEN" : "MOUNT", mode: s.sysMode, dpcMode: this.mode, startTime: this.startTime })];
    } else {
      if (!this.open) throw sqlError(ERR.mountOnly());
      const cat = await this.freshCatalog();
      if (this.mode === "SP" && !cat.bpAvailable()) throw sqlError(ERR.invalidSysState());
      rows = catalogRows(cat, table, this.mode === "MP" ? "MP" : "cluster");
    }
    return { kind: "rows", ...evaluate(stmt, table, rows) };
  }

  /**
   * SP_ADD_RAFT_LEARNER / SP_ALTER_RAFT_NODE / SP_DELETE_RAFT_NODE: only on the elected leader of
   * a multi-replica group, a BP only in BS mode (the manual logs in to the MP leader, or "以 BS 模式
   * 登录到 BP 主节点"). The argument count is checked first, as for every procedure; the catalog
   * (the MP's, reached over the BP's session) then checks that this node leads the named group.
   */
  private async leaderCall(name: string, args: Value[]): Promise<Msg> {
    const arity = procedureArity(name);
    if (arity !== undefined && args.length !== arity) throw sqlError(ERR.argCount());
    if (this.mode === "BP" && !this.bs) throw sqlError(ERR.notBsMode());
    if (!this.open) throw sqlError(ERR.mountOnly());
    if (this.mode === "SP" || !this.raft || this.raft.role !== "LEADER") throw sqlError(ERR.notLeader());
    if (this.mode === "MP") {
      this.runCatalogCall(name, args, this.cfg.instanceName);
      return { kind: "proc" };
    }
    const r = await this.mpSession?.call({ op: "call", name, args, self: this.cfg.instanceName });
    if (!r?.ok) throw r?.code === undefined ? sqlError(ERR.invalidSysState()) : new SqlError(Number(r.code), String(r.message));
    return { kind: "proc" };
  }

  // ---------------------------------------------------------------- exits

  async exit(kind: "exit" | "exit all"): Promise<void> {
    if (this.exiting) return;
    this.exiting = true;
    this.log.info(`收到${kind}命令, 开始退出`);
    if (kind === "exit all" && this.raft?.valid) {
      if (this.raft.role === "LEADER") {
        await this.raft.exitAll();
      } else if (await this.raft.forwardExitAll()) {
        // The leader stops every valid member, this one included; wait for its word.
        setTimeout(() => void this.finish("exit all"), 3000).unref();
        return;
      }
    }
    await this.finish(kind);
  }

  private async finish(kind: string): Promise<void> {
    if (this.finished) return;
    this.exiting = true;
    if (kind === "exit all" && this.raft?.role === "LEADER") await this.raft.exitAll();
    if (kind === "exit" && this.mode === "MP") await this.raft?.leave();
    this.raft?.stop();
    const status = this.mode === "SP" ? 2 : this.registered?.status ?? 0;
    if (this.mode === "MP") {
      if (this.registered && this.catalog?.report(this.registered.name, { sysStatus: 6 })) this.persist();
    } else if (this.registered) {
      await this.mpSession?.call({ op: "bye", name: this.registered.name, status }, 1500);
    }
    this.finished = true;
    this.mpSession?.close();
    for (const s of this.servers) s.close();
    this.mp.closeAll();
    updateControl(this.cfg.dbDir, (c) => {
      c.state = "CLEAN";
      c.pid = undefined;
    });
    removePidFile(this.cfg.instanceName);
    this.log.info(`数据库正常关闭(${kind}). DM Database Server shutdown successfully`);
    process.exit(0);
  }

  /** Dies hard: the database is left as not cleanly shut down, so the next start replays REDO. */
  halt(reason: string): void {
    if (this.finished) return;
    this.finished = true;
    this.log.fatal(reason);
    updateControl(this.cfg.dbDir, (c) => (c.state = "HALTED"));
    process.exit(1);
  }
}
