/**
 * The MP's side of the SP/BP sessions (mp_port): attach, status reports, the procedures and DDL an
 * SP or BS hands on, goodbyes; the catalog pushed to every attached instance; the halt of the SPs
 * when a BP exits before them (rule 8).
 */
import * as net from "net";
import { ERR, SqlError } from "../errors";
import { onMessages, reply, send } from "../wire";
import type { Catalog } from "./catalog";
import type { CatalogData, Value } from "./catalog-data";
import type { ServerLog } from "./log";

interface Attached {
  sock: net.Socket;
  name: string;
  mode: string;
  leaving: boolean;
}

export interface MpHost {
  catalog(): Catalog;
  /** OPEN and, in a multi-replica MP group, its leader. */
  servingCatalog(): boolean;
  persist(): void;
  publish(): void;
  /** A catalog procedure on this MP, all or nothing (then broadcast). */
  runCatalogCall(name: string, args: Value[], self: string): void;
}

export class MpService {
  private readonly attached = new Map<string, Attached>();

  constructor(
    private readonly host: MpHost,
    private readonly log: ServerLog,
  ) {}

  serve(sock: net.Socket): void {
    let who: Attached | undefined;
    onMessages(sock, (m) => {
      const cat = this.host.catalog();
      switch (m.op) {
        case "attach": {
          if (!this.host.servingCatalog()) return reply(sock, m, { ok: false, error: "MP未处于可服务状态(非OPEN或非主库)" });
          const inst = cat.instance(String(m.name));
          if (!inst) return reply(sock, m, { ok: false, refuse: `实例[${String(m.name)}]未在MP中注册, SP/BP必须在第一次启动前注册` });
          if (inst.dpcMode !== m.mode) return reply(sock, m, { ok: false, refuse: `实例[${inst.name}]在MP中注册的DPC_MODE[${inst.dpcMode}]与启动参数[${String(m.mode)}]不一致` });
          who = { sock, name: inst.name, mode: inst.dpcMode, leaving: false };
          this.attached.set(inst.name, who);
          this.host.publish();
          return reply(sock, m, { ok: true, catalog: cat.data });
        }
        case "status": {
          // After its goodbye an instance is not running, whatever it reports on its way out
          // (a RAFT leader's role changes while its followers leave during `exit all`).
          if (who?.leaving) return reply(sock, m, { ok: true });
          const raftInfo = m.raft as Parameters<Catalog["report"]>[2];
          if (cat.report(String(m.name), { sysMode: String(m.sysMode), sysStatus: Number(m.sysStatus), status: Number(m.status) }, raftInfo)) this.host.persist();
          return reply(sock, m, { ok: true });
        }
        case "catalog":
          return reply(sock, m, { ok: true, catalog: cat.data });
        case "call": {
          // A procedure an SP (or a BS) was asked to run (runsThroughMp): the MP runs it as its own.
          if (!this.host.servingCatalog()) return reply(sock, m, { ok: false, code: ERR.notMpLeader().code, message: ERR.notMpLeader().message });
          try {
            this.host.runCatalogCall(String(m.name), m.args as Value[], String(m.self));
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
          this.host.persist();
          return reply(sock, m, { ok: true });
        }
        case "bye": {
          if (who) who.leaving = true;
          const inst = cat.instance(String(m.name));
          const before = cat.bpAvailable();
          if (cat.report(String(m.name), { sysStatus: 6, status: Number(m.status) })) this.host.persist();
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
      if (!who.leaving && this.host.catalog().report(who.name, { sysStatus: 6 })) this.host.persist();
    });
  }

  private haltSps(reason: string): void {
    for (const a of this.attached.values()) {
      if (a.mode === "SP" && !a.leaving) {
        this.log.warn(`退出顺序错误: ${reason}, SP[${a.name}]将异常终止`);
        send(a.sock, { op: "halt", reason });
      }
    }
  }

  /** A catalog change reaches every attached SP/BP at once. */
  broadcast(data: CatalogData): void {
    for (const a of this.attached.values()) if (!a.leaving) send(a.sock, { op: "catalog", catalog: data });
  }

  closeAll(): void {
    for (const a of this.attached.values()) a.sock.destroy();
  }
}
