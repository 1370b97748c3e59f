/**
 * One running dmserver: its listeners (PORT_NUM for disql, AP_PORT_NUM between instances, and on an
 * MP the mp_port for SP/BP sessions), its place in the DMDPC catalog, its RAFT role, and its exits.
 */
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { backupSetDirBusy, CATALOG_FILE, DbControl, DpcMode, hashPassword, newMagic, readControl, updateControl, writeBackupSet } from "../dbfiles";
import { ERR, SqlError, sqlError } from "../errors";
import { hostAddr, removePidFile, writePidFile } from "../host";
import { listen, Msg, onMessages, reply, send, Session } from "../wire";
import { Catalog, CatalogData, emptyCatalog, InstanceRow, LEADER_PROCEDURES, procedureArity, runsThroughMp, type Value } from "./catalog";
import { MpEndpoint, ServerConfig, StartRefusal } from "./config";
import { ServerLog } from "./log";
import { RaftNode } from "./raft";
import { parseStatement } from "./sql";
import { CATALOG_TABLES, catalogRows, evaluate, localInstanceRow, TABLES } from "./tables";

interface Attached {
  sock: net.Socket;
  name: string;
  mode: string;
  leaving: boolean;
}

export class DmServer {
  private catalog?: Catalog;
  private mpSession?: Session;
  private raft?: RaftNode;
  private servers: net.Server[] = [];
  private attached = new Map<string, Attached>();
  private registered?: InstanceRow;
  private exiting = false;
  private finished = false;
  private readonly startTime = new Date().toISOString().replace("T", " ").slice(0, 19);
  private execNo = 1000;

  constructor(
    private readonly cfg: ServerConfig,
    private ctl: DbControl,
    private readonly mode: DpcMode,
    private readonly mount: boolean,
    private readonly log: ServerLog,
    /** A BP started with dpc_mode=BS: it also serves SQL as an SP does (DDL, catalog reads) and runs its group's replica procedures when it leads. */
    private readonly bs = false,
  ) {}

  // ---------------------------------------------------------------- start

  async start(): Promise<void> {
    let sqlPort = this.cfg.portNum;
    let apPort = this.cfg.apPortNum;
    if (this.mode === "MP") {
      this.catalog = new Catalog(this.loadCatalog());
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
    const mpEndpoint = this.mode === "MP" ? this.ownMpEndpoint() : undefined;
    if (mpEndpoint) this.checkMpPort(mpEndpoint, sqlPort, apPort);
    const raftPlan = this.planRaft();

    const addr = hostAddr();
    await this.bind(addr, sqlPort, "PORT_NUM", (s) => this.serveSql(s));
    await this.bind(addr, apPort, "AP_PORT_NUM", (s) => this.serveAp(s));
    if (mpEndpoint) await this.bind(addr, mpEndpoint.port, "MP_PORT", (s) => this.serveMp(s));

    this.ctl = updateControl(this.cfg.dbDir, (c) => {
      c.state = "RUNNING";
      c.pid = process.pid;
    })!;
    this.installExits();

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

  private loadCatalog(): CatalogData {
    try {
      return JSON.parse(fs.readFileSync(path.join(this.cfg.dbDir, CATALOG_FILE), "utf8")) as CatalogData;
    } catch {
      return emptyCatalog();
    }
  }

  private persist(): void {
    if (!this.catalog) return;
    const file = path.join(this.cfg.dbDir, CATALOG_FILE);
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(this.catalog.data, null, 1));
    fs.renameSync(`${file}.tmp`, file);
  }

  /** The mp.ini entry this MP serves: [MP<RAFT_SELF_ID>], else its place among the MP_RAFT members. */
  private ownMpEndpoint(): MpEndpoint {
    const eps = this.cfg.mp;
    if (eps.length === 0) throw new StartRefusal(`mp.ini[${path.join(this.cfg.dbDir, "mp.ini")}]不存在或未配置mp_host/mp_port`);
    if (eps.length === 1) return eps[0];
    const bySelf = this.cfg.arch?.selfId !== undefined ? eps.find((e) => e.section === `MP${this.cfg.arch!.selfId}`) : undefined;
    if (bySelf) return bySelf;
    const idx = this.catalog!.members(0).findIndex((m) => m.name.toUpperCase() === this.cfg.instanceName.toUpperCase());
    const byOrder = idx >= 0 ? eps.find((e) => e.section === `MP${idx + 1}`) : undefined;
    return byOrder ?? eps.find((e) => e.host === hostAddr()) ?? eps[0];
  }

  private checkMpPort(ep: MpEndpoint, sqlPort: number, apPort: number): void {
    if (ep.port === sqlPort || ep.port === apPort) throw new StartRefusal(`mp.ini中的mp_port[${ep.port}]与本实例的端口冲突`);
    const clash = this.catalog!.data.instances.find((i) => i.xmalPort === ep.port || (i.ipInternal === ep.host && i.instPort === ep.port));
    if (clash) throw new StartRefusal(`mp.ini中的mp_port[${ep.port}]与实例[${clash.name}]的AP_PORT_NUM/PORT_NUM冲突`);
  }

  /** SP/BP: find the serving MP in mp.ini and check that this instance is registered. */
  private async attachToMp(): Promise<void> {
    if (this.cfg.mp.length === 0) throw new StartRefusal(`mp.ini[${path.join(this.cfg.dbDir, "mp.ini")}]不存在或未配置mp_host/mp_port`);
    const deadline = Date.now() + 5000;
    let lastProblem = "";
    while (Date.now() < deadline) {
      for (const ep of this.cfg.mp) {
        let session: Session;
        try {
          session = await Session.open(ep.host, ep.port, (m) => this.onMpPush(m), () => this.onMpLost(), 1000);
        } catch (err) {
          lastProblem = `连接MP[${ep.host}:${ep.port}]失败: ${(err as NodeJS.ErrnoException).code ?? String(err)}`;
          continue;
        }
        const r = await session.call({ op: "attach", name: this.cfg.instanceName, mode: this.mode });
        if (r.ok) {
          this.mpSession = session;
          this.catalog = new Catalog(r.catalog as CatalogData);
          this.registered = this.catalog.instance(this.cfg.instanceName);
          this.log.info(`已连接MP[${ep.host}:${ep.port}]`);
          return;
        }
        session.close();
        if (r.refuse) throw new StartRefusal(String(r.refuse));
        lastProblem = `MP[${ep.host}:${ep.port}]: ${String(r.error ?? "不可用")}`;
      }
      await new Promise((res) => setTimeout(res, 250));
    }
    throw new StartRefusal(`无法连接到可用的MP, ${lastProblem}`);
  }

  /** Decides whether this instance runs as a RAFT member, and refuses an inconsistent set-up. */
  private planRaft(): RaftNode | undefined {
    const me = this.registered;
    if (!me || !this.catalog) {
      if (this.mode === "MP") return undefined; // an MP may start before it registers itself
      throw new StartRefusal(`实例[${this.cfg.instanceName}]未在MP中注册`);
    }
    const members = this.catalog.members(me.raftId);
    const arch = this.cfg.arch;
    if (members.length <= 1 || !arch || arch.peers.length === 0) {
      if (members.length > 1 && this.ctl.magicPending === false && this.ctl.restoredFrom && !this.mount) {
        this.log.warn("多副本RAFT组成员未配置RAFT归档, 以单机方式启动");
      }
      return undefined;
    }
    const group = this.catalog.raftById(me.raftId)?.name ?? String(me.raftId);
    const need = (ok: boolean, msg: string) => {
      if (!ok) throw new StartRefusal(`RAFT组[${group}]: ${msg}`);
    };
    need(this.cfg.archIni === 1, "dm.ini中ARCH_INI必须为1");
    need(this.cfg.alterModeStatus === 0, "多副本实例的dm.ini中ALTER_MODE_STATUS必须为0");
    need(this.mount, "多副本实例必须以MOUNT方式启动");
    need(arch.selfId !== undefined, "dmarch.ini中缺少RAFT_SELF_ID");
    need(arch.voteInterval !== undefined && arch.voteInterval > 0, "dmarch.ini中缺少RAFT_VOTE_INTERVAL");
    const ids = new Set<number>([arch.selfId!]);
    // The addresses a dmarch.ini names (XMAL_IP/PORT, ARCH_DEST_IP/PORT) are where DM connects:
    // they must be the registered XMAL address (the lab's check; registered ports win at start).
    need(arch.xmalIp === undefined || arch.xmalIp === me.ipInternal, `XMAL_IP[${arch.xmalIp}]与MP中注册的IP[${me.ipInternal}]不一致`);
    need(arch.xmalPort === undefined || arch.xmalPort === me.xmalPort, `XMAL_PORT[${arch.xmalPort}]与MP中注册的XMAL_PORT[${me.xmalPort}]不一致`);
    // KEY §5.20: no learner-type archive target on a shadow replica.
    need(!(this.ctl.shadow && arch.peers.some((p) => p.learner)), "影子库不能配置LEARNER类型的归档");
    for (const p of arch.peers) {
      const peer = this.catalog.instance(p.name);
      need(!!peer && peer.raftId === me.raftId, `ARCH_DEST[${p.name}]不是本RAFT组的实例`);
      need(p.name.toUpperCase() !== me.name.toUpperCase(), `ARCH_DEST[${p.name}]不能是实例自身`);
      need(!ids.has(p.id), `ARCH_DEST_ID[${p.id}]重复`);
      need(p.ip === undefined || p.ip === peer!.ipInternal, `ARCH_DEST_IP[${p.ip}]与实例[${p.name}]注册的IP不一致`);
      need(p.port === undefined || p.port === peer!.xmalPort, `ARCH_DEST_PORT[${p.port}]与实例[${p.name}]注册的XMAL_PORT不一致`);
      ids.add(p.id);
    }
    return new RaftNode({
      group, self: { name: me.name, id: arch.selfId! }, peers: arch.peers.map((p) => ({ name: p.name, id: p.id })), voteInterval: arch.voteInterval!,
      hbInterval: arch.hbInterval && arch.hbInterval > 0 ? arch.hbInterval : 150, lineage: this.ctl.lineage,
      dbMagic: this.ctl.dbMagic, shadow: this.ctl.shadow, learner: arch.learner, notStandby: !!this.ctl.notStandby,
      membership: () => {
        const cat = this.catalog!;
        const learners = cat.members(me.raftId).filter((i) => i.learner).map((i) => ({ name: i.name, id: i.learnerId }));
        return { learners, voters: cat.raftById(me.raftId)?.voters ?? null };
      },
      resolve: (name) => {
        const i = this.catalog?.instance(name);
        return i ? { host: i.ipInternal, port: i.xmalPort } : undefined;
      },
      log: (level, msg) => this.log.write(level, msg),
      onChange: () => void this.publish(),
      payload: this.mode === "MP" ? () => this.catalog?.data : undefined,
      onPayload: this.mode === "MP" ? (p) => this.applyReplicatedCatalog(p as CatalogData) : undefined,
      onExitAll: () => void this.finish("exit all"),
    });
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

  private serveMp(sock: net.Socket): void {
    let who: Attached | undefined;
    onMessages(sock, (m) => {
      const cat = this.catalog!;
      switch (m.op) {
        case "attach": {
          if (!this.servingCatalog()) return reply(sock, m, { ok: false, error: "MP未处于可服务状态(非OPEN或非主库)" });
          const inst = cat.instance(String(m.name));
          if (!inst) return reply(sock, m, { ok: false, refuse: `实例[${String(m.name)}]未在MP中注册, SP/BP必须在第一次启动前注册` });
          if (inst.dpcMode !== m.mode) return reply(sock, m, { ok: false, refuse: `实例[${inst.name}]在MP中注册的DPC_MODE[${inst.dpcMode}]与启动参数[${String(m.mode)}]不一致` });
          who = { sock, name: inst.name, mode: inst.dpcMode, leaving: false };
          this.attached.set(inst.name, who);
          void this.publish();
          return reply(sock, m, { ok: true, catalog: cat.data });
        }
        case "status": {
          // After its goodbye an instance is not running, whatever it reports on its way out
          // (a RAFT leader's role changes while its followers leave during `exit all`).
          if (who?.leaving) return reply(sock, m, { ok: true });
          const raftInfo = m.raft as Parameters<Catalog["report"]>[2];
          if (cat.report(String(m.name), { sysMode: String(m.sysMode), sysStatus: Number(m.sysStatus), status: Number(m.status) }, raftInfo)) this.persist();
          return reply(sock, m, { ok: true });
        }
        case "catalog":
          return reply(sock, m, { ok: true, catalog: cat.data });
        case "call": {
          // A procedure an SP (or a BS) was asked to run (runsThroughMp): the MP runs it as its own.
          if (!this.servingCatalog()) return reply(sock, m, { ok: false, code: ERR.notMpLeader().code, message: ERR.notMpLeader().message });
          try {
            this.runCatalogCall(String(m.name), m.args as Value[], String(m.self));
          } catch (err) {
            if (!(err instanceof SqlError)) throw err;
            return reply(sock, m, { ok: false, code: err.code, message: err.message });
          }
          return reply(sock, m, { ok: true });
        }
        case "ddl": {
          try {
            if (m.kind === "tablespace") {
              if (m.action === "create") cat.createTablespace(String(m.name), m.storage === undefined ? undefined : String(m.storage));
              else cat.dropTablespace(String(m.name));
            } else if (m.action === "create") cat.createTable(String(m.table), m.tablespace === undefined ? undefined : String(m.tablespace));
            else cat.dropTable(String(m.table));
          } catch (err) {
            if (!(err instanceof SqlError)) throw err;
            return reply(sock, m, { ok: false, code: err.code, message: err.message });
          }
          this.persist();
          return reply(sock, m, { ok: true });
        }
        case "bye": {
          if (who) who.leaving = true;
          const inst = cat.instance(String(m.name));
          const before = cat.bpAvailable();
          if (cat.report(String(m.name), { sysStatus: 6, status: Number(m.status) })) this.persist();
          reply(sock, m, { ok: true });
          // Only an exit that leaves the SPs without a usable BP is a wrong order (rule 8).
          if (inst && inst.dpcMode === "BP" && before && !cat.bpAvailable()) this.haltSps(`BP[${inst.name}]在SP之前退出`);
          return;
        }
      }
    });
    sock.on("close", () => {
      if (!who || this.attached.get(who.name) !== who) return;
      this.attached.delete(who.name);
      if (!who.leaving && this.catalog!.report(who.name, { sysStatus: 6 })) this.persist();
    });
  }

  private servingCatalog(): boolean {
    return this.mode === "MP" && (this.raft ? this.raft.role === "LEADER" : !this.mount);
  }

  private haltSps(reason: string): void {
    for (const a of this.attached.values()) {
      if (a.mode === "SP" && !a.leaving) {
        this.log.warn(`退出顺序错误: ${reason}, SP[${a.name}]将异常终止`);
        send(a.sock, { op: "halt", reason });
      }
    }
  }

  // ---------------------------------------------------------------- SP/BP side of the MP session

  private onMpPush(m: Msg): void {
    // Catalog changes reach running SPs/BPs at once: a BP leader takes in a learner without a restart.
    if (m.op === "catalog" && m.catalog) this.catalog = new Catalog(m.catalog as CatalogData);
    if (m.op === "halt") this.halt(`${String(m.reason)}, 退出顺序错误, 系统强制HALT`);
  }

  private onMpLost(): void {
    if (this.finished) return;
    void (async () => {
      const deadline = Date.now() + 2000;
      while (Date.now() < deadline && !this.finished) {
        for (const ep of this.cfg.mp) {
          try {
            const s = await Session.open(ep.host, ep.port, (m) => this.onMpPush(m), () => this.onMpLost(), 500);
            const r = await s.call({ op: "attach", name: this.cfg.instanceName, mode: this.mode });
            if (r.ok) {
              this.mpSession = s;
              await this.publish();
              return;
            }
            s.close();
          } catch {
            /* try the next MP */
          }
        }
        await new Promise((res) => setTimeout(res, 200));
      }
      this.halt("与MP的连接断开(MP已退出), 系统强制HALT");
    })();
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
    for (const a of this.attached.values()) if (!a.leaving) send(a.sock, { op: "catalog", catalog: this.catalog!.data });
  }

  private async freshCatalog(): Promise<Catalog> {
    if (this.mode === "MP") return this.catalog!;
    const r = await this.mpSession?.call({ op: "catalog" });
    if (!r?.ok) throw sqlError(ERR.invalidSysState());
    return new Catalog(r.catalog as CatalogData);
  }

  private async exec(sql: string): Promise<Msg> {
    const stmt = parseStatement(sql);
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
    if (stmt.kind === "backup") return this.onlineBackup(stmt.name, stmt.dir, stmt.shadow);
    const table = stmt.table;
    if (!TABLES[table]) throw sqlError(ERR.invalidTable(table));
    let rows;
    if (table === "V$INSTANCE" && this.mode !== "SP") {
      const s = this.selfState();
      rows = [localInstanceRow({ name: this.cfg.instanceName, hostAddr: hostAddr(), status: this.open ? "OPEN" : "MOUNT", mode: s.sysMode, dpcMode: this.mode, startTime: this.startTime })];
    } else {
      if (CATALOG_TABLES.has(table) && this.mode === "BP" && !this.bs) throw sqlError(ERR.invalidTable(table));
      if (!this.open) throw sqlError(ERR.mountOnly());
      const cat = await this.freshCatalog();
      if (this.mode === "SP" && !cat.bpAvailable()) throw sqlError(ERR.invalidSysState());
      rows = catalogRows(cat, table);
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

  /**
   * Online full backup: an OPEN database that is no RAFT follower (a follower or a MOUNT instance
   * refuses), with archiving on. The set is the offline one's format, marked online, so that
   * its restore needs RECOVER ... FROM BACKUPSET before UPDATE DB_MAGIC. SHADOW marks the set
   * as the offline SHADOW backup does (the restored database is a shadow replica).
   */
  private onlineBackup(name: string | undefined, dir: string, shadow: boolean): Msg {
    if (!this.open || (this.raft && this.raft.role !== "LEADER")) throw sqlError(ERR.backupNotOpen());
    if (this.cfg.archIni !== 1) throw sqlError(ERR.backupNoArch());
    // "在 MP 和 BP 端生成备份集时会在备份集名称之后各自添加实例名后缀" (MGT §8.2.2.1.1, §8.8.3).
    const target = `${path.resolve(this.cfg.dbDir, dir)}_${this.cfg.instanceName}`;
    if (backupSetDirBusy(target)) throw sqlError(ERR.backupSetExists(target));
    const ctl = readControl(this.cfg.dbDir) ?? this.ctl;
    const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    writeBackupSet(this.cfg.dbDir, target, {
      name: name ?? `DB_${this.cfg.instanceName}_FULL_${stamp}`, shadow, online: true,
      // A BP-mode direct backup has BAK_MAGIC 0; the MP's and a BS-mode BP's (a cluster backup) their own (MGT §8.8.3.3).
      bakMagic: this.mode === "MP" || this.bs ? newMagic() : 0, sourceIni: this.cfg.iniPath,
      sourceInstance: this.cfg.instanceName, control: ctl, time: new Date().toISOString(),
    });
    this.log.info(`联机备份完成: ${target}`);
    return { kind: "backup" };
  }

  // ---------------------------------------------------------------- exits

  private installExits(): void {
    process.on("SIGTERM", () => void this.exit("exit"));
    process.on("SIGINT", () => void this.exit("exit"));
    process.on("SIGUSR1", () => void this.exit("exit all"));
    // The foreground console: `exit` / `exit all` typed on dmserver's standard input.
    let buf = "";
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const cmd = buf.slice(0, nl).trim().toLowerCase().replace(/;$/, "");
        buf = buf.slice(nl + 1);
        if (cmd === "exit") void this.exit("exit");
        else if (cmd === "exit all") void this.exit("exit all");
      }
    });
    process.stdin.on("error", () => undefined);
  }

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
    for (const a of this.attached.values()) a.sock.destroy();
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
