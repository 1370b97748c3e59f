/**
 * A simulated DMDPC world for the planner tests: files and processes per host, and the MP
 * catalog. Applying a plan changes it the way the operations would, and enforces the seed's
 * ordering rules, so that a plan in a wrong order fails here. Its SQL reader is its own.
 */
import type { Catalog, CatalogInstance } from "../../../../provider/dm/catalog";
import type { HostState } from "../../../../provider/dm/commands";
import { editIni, parseIni } from "../../../../provider/dm/ini";
import type { Operation, Plan } from "../../../../provider/dm/ops";
import { targetOf } from "../../../../provider/dm/ops";
import type { ConnectionArgs } from "../../../../provider/dm/schema";
import { parseCall, readShellWord, type Arg } from "./sql-parse";

interface SimInstance {
  connKey: string;
  dbDir: string;
  mode: string;
  name: string;
  /** Which backup set its data came from (its own name when it is the seeding member). */
  dataFrom?: string;
}

interface MutableCatalog {
  instances: CatalogInstance[];
  rafts: { id: number; groupId: number; mode: "MP" | "SP" | "BP"; name: string; valid: boolean }[];
  bpGroups: { id: number; name: string; description: string; raftIds: number[] }[];
  faultDomains: { id: number; name: string; description: string }[];
  tablespaces: { id: number; raftId: number; name: string }[];
}

export class SimError extends Error {}

export class Sim {
  readonly files = new Map<string, string>();
  readonly running = new Set<string>(); // instance names (upper case)
  readonly mounted = new Set<string>();
  /** Instances that have been started at least once (DM's log of them exists). */
  readonly started = new Set<string>();
  readonly instances = new Map<string, SimInstance>();
  readonly backups = new Map<string, string>(); // backup set key -> source instance
  readonly catalog: MutableCatalog = {
    instances: [],
    rafts: [{ id: 0, groupId: -1, mode: "MP", name: "MP_RAFT", valid: true }],
    bpGroups: [],
    faultDomains: [],
    tablespaces: [],
  };
  /** Every SQL statement run, in order. */
  readonly sql: string[] = [];
  /** Every operation applied, in order. */
  readonly applied: Operation[] = [];
  /** Events for order checks: `start:NAME`, `register:NAME`, `stop:NAME`... */
  readonly events: string[] = [];
  private nextInst = 4096;
  private nextRaft = 1;
  private nextGroup = 1;
  private nextDomain = 1;

  readCatalog(): Catalog {
    return JSON.parse(JSON.stringify(this.catalog));
  }

  hostState(m: { connection: ConnectionArgs; path: string; dbName: string; name: string }): HostState {
    const k = targetOf(m.connection).connKey;
    const db = `${m.path}/${m.dbName}`;
    const dmIni = this.files.get(`${k}|${db}/dm.ini`) ?? null;
    return {
      pathExists: dmIni !== null,
      dmIni,
      mpIni: this.files.get(`${k}|${db}/mp.ini`) ?? null,
      dmarchIni: this.files.get(`${k}|${db}/dmarch.ini`) ?? null,
      pids: this.running.has(m.name.toUpperCase()) ? [4242] : [],
      ranBefore: this.started.has(m.name.toUpperCase()),
      leftGroup: /^left (\S+)/m.exec(this.files.get(`${k}|${db}/dbcluster-left`) ?? "")?.[1] ?? null,
    };
  }

  apply(plan: Plan): void {
    for (const phase of plan) for (const op of phase.operations) this.applyOp(op);
  }

  private inst(name: string): SimInstance {
    const i = this.instances.get(name.toUpperCase());
    if (!i) throw new SimError(`no instance ${name} was created`);
    return i;
  }

  private reg(name: string): CatalogInstance | undefined {
    return this.catalog.instances.find((i) => i.name.toUpperCase() === name.toUpperCase());
  }

  private anyMpRunning(): boolean {
    return [...this.instances.values()].some((i) => i.mode === "MP" && this.running.has(i.name.toUpperCase()));
  }

  applyOp(op: Operation): void {
    this.applied.push(op);
    switch (op.kind) {
      case "dminit": {
        // the CONTROL file: global keys and the [node_instance] section (DM8 dminit 高级主题 §5.1)
        const ini = parseIni(op.stdin ?? "");
        const ctl = { ...ini.global, ...Object.values(ini.sections)[0] };
        const db = `${ctl.SYSTEM_PATH ?? ctl.PATH}/${ctl.DB_NAME}`;
        const key = `${op.connKey}|${db}/dm.ini`;
        if (this.files.has(key)) throw new SimError(`dminit over an existing database at ${db}`);
        if (!ctl.SYSDBA_PWD) throw new SimError("dminit without SYSDBA_PWD");
        this.files.set(key, `INSTANCE_NAME = ${ctl.INSTANCE_NAME}\nPORT_NUM = ${ctl.PORT_NUM}\nAP_PORT_NUM = ${ctl.AP_PORT_NUM}\nDPC_MODE = ${ctl.DPC_MODE}\n`);
        this.instances.set(ctl.INSTANCE_NAME.toUpperCase(), { connKey: op.connKey, dbDir: db, mode: ctl.DPC_MODE, name: ctl.INSTANCE_NAME });
        this.events.push(`dminit:${ctl.INSTANCE_NAME}`);
        return;
      }
      case "write-file": {
        const path = readShellWord(op.command.slice(op.command.indexOf("f=") + 2));
        this.files.set(`${op.connKey}|${path}`, op.stdin ?? "");
        return;
      }
      case "set-ini": {
        const path = readShellWord(op.command.slice(op.command.indexOf("f=") + 2));
        const key = `${op.connKey}|${path}`;
        const have = this.files.get(key);
        if (have === undefined) throw new SimError(`set-ini on a missing file ${path}`);
        const changes = Object.fromEntries((op.stdin ?? "").split("\n").filter(Boolean).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
        this.files.set(key, editIni(have, changes));
        return;
      }
      case "start": {
        const m = /^dmserver (.*) dpc_mode=(\w+)( MOUNT)? \((\w+)\) \$ /.exec(op.describe);
        if (!m) throw new SimError(`unreadable start: ${op.describe}`);
        const [, ini, mode, mount, name] = m;
        const inst = this.inst(name);
        if (`${inst.dbDir}/dm.ini` !== ini) throw new SimError(`start of ${name} names ${ini}`);
        if (mode !== "MP" && !this.anyMpRunning()) throw new SimError(`rule 1: ${name} started while no MP runs`);
        if (mode !== "MP" && !this.reg(name)) throw new SimError(`rule 4: ${name} started before it was registered`);
        if (mode === "SP") {
          const bpOpen = this.catalog.instances.some((i) => i.mode === "BP" && this.running.has(i.name.toUpperCase()));
          if (!bpOpen) throw new SimError(`rule 7: SP ${name} started while no BP is open`);
        }
        this.running.add(name.toUpperCase());
        this.started.add(name.toUpperCase());
        if (mount) this.mounted.add(name.toUpperCase());
        else this.mounted.delete(name.toUpperCase());
        this.events.push(`start:${name}${mount ? ":MOUNT" : ""}`);
        return;
      }
      case "stop": {
        const m = /^(exit all|exit) \(SIG\w+\) (\w+) \$ /.exec(op.describe);
        if (!m) throw new SimError(`unreadable stop: ${op.describe}`);
        const [, how, name] = m;
        const inst = this.inst(name);
        const reg = this.reg(name);
        const group = how === "exit all" && reg ? this.catalog.instances.filter((i) => i.raftId === reg.raftId).map((i) => i.name.toUpperCase()) : [name.toUpperCase()];
        for (const n of group) {
          if (!this.running.has(n)) continue;
          this.checkStopOrder(this.inst(n));
          this.running.delete(n);
          this.events.push(`stop:${this.inst(n).name}`);
        }
        void inst;
        return;
      }
      case "wait-stopped": {
        const name = /^wait until (\w+) has exited$/.exec(op.describe)![1];
        if (this.running.has(name.toUpperCase())) throw new SimError(`${name} is still running`);
        return;
      }
      case "dmrman": {
        const stmt = op.describe.slice(0, op.describe.indexOf(" $ "));
        const backup = /^dmrman offline full( SHADOW)? backup of (\w+) to (.*)$/.exec(stmt);
        if (backup) {
          if (this.running.has(backup[2].toUpperCase())) throw new SimError(`offline backup of running ${backup[2]}`);
          this.backups.set(`${op.connKey}|${backup[3]}`, backup[2].toUpperCase());
          this.inst(backup[2]).dataFrom = backup[2].toUpperCase();
          return;
        }
        const restore = /^dmrman restore (\w+)( TO SHADOW)? from (\S*)(?: \(online set: .*\))?$/.exec(stmt);
        if (restore) {
          if (this.running.has(restore[1].toUpperCase())) throw new SimError(`restore into running ${restore[1]}`);
          const src = this.backups.get(`${op.connKey}|${restore[3]}`);
          if (!src) throw new SimError(`restore of ${restore[1]} from a set not on its host: ${restore[3]}`);
          this.inst(restore[1]).dataFrom = src;
          return;
        }
        return;
      }
      case "copy-dir": {
        const c = op as Operation & { copyFrom: { connKey: string; dir: string }; copyTo: { dir: string } };
        const src = this.backups.get(`${c.copyFrom.connKey}|${c.copyFrom.dir}`);
        if (!src) throw new SimError(`copy of a missing backup set ${c.copyFrom.dir}`);
        this.backups.set(`${op.connKey}|${c.copyTo.dir}`, src);
        return;
      }
      case "sql":
        return this.applySql(op);
      case "wait-leader": {
        const names = /^wait until one of (.*) is PRIMARY/.exec(op.describe)![1].split(", ");
        const sources = new Set(names.map((n) => this.inst(n).dataFrom));
        if (sources.size !== 1 || [...sources][0] === undefined) throw new SimError(`rule 6: ${names.join(",")} do not share one seed backup`);
        for (const n of names) {
          if (!this.running.has(n.toUpperCase()) || !this.mounted.has(n.toUpperCase())) throw new SimError(`election: ${n} is not running in MOUNT`);
          const inst = this.inst(n);
          const arch = parseIni(this.files.get(`${inst.connKey}|${inst.dbDir}/dmarch.ini`) ?? "");
          if (!arch.global.RAFT_SELF_ID) throw new SimError(`election: ${n} has no RAFT config`);
        }
        const intervals = names.map((n) => parseIni(this.files.get(`${this.inst(n).connKey}|${this.inst(n).dbDir}/dmarch.ini`)!).global.RAFT_VOTE_INTERVAL);
        if (new Set(intervals).size !== intervals.length) throw new SimError(`election: vote intervals not distinct: ${intervals}`);
        names.forEach((n, i) => {
          const r = this.reg(n);
          if (r) Object.assign(r, { sysMode: i === 0 ? "PRIMARY" : "STANDBY", status: 1, sysStatus: 4 });
        });
        this.events.push(`elected:${names[0]}`);
        return;
      }
      case "wait-following": {
        const names = /^wait until (.*) follow the leader/.exec(op.describe)![1].split(", ");
        for (const n of names) {
          if (!this.running.has(n.toUpperCase()) || !this.mounted.has(n.toUpperCase())) throw new SimError(`learner ${n} is not running in MOUNT`);
          const r = this.reg(n);
          if (r) Object.assign(r, { sysMode: "STANDBY", status: 1, sysStatus: 4 });
        }
        return;
      }
      case "remove": {
        // A backup set removed before a restore that needs it makes that restore fail here.
        const set = /^remove backup set (.*) \(\w+\) \$ /.exec(op.describe);
        if (set) this.backups.delete(`${op.connKey}|${set[1]}`);
        return;
      }
      case "mkdir":
        return;
      default:
        throw new SimError(`unknown op kind ${op.kind}`);
    }
  }

  /** Rule 8: SPs exit before BPs, BPs before MPs. */
  private checkStopOrder(inst: SimInstance): void {
    const runningModes = [...this.running].map((n) => this.inst(n).mode);
    if (inst.mode === "BP" && runningModes.includes("SP") && this.catalog.instances.length > 0 && this.isFullShutdown)
      throw new SimError(`rule 8: BP ${inst.name} stopped while an SP runs`);
    if (inst.mode === "MP" && this.isFullShutdown && (runningModes.includes("SP") || runningModes.includes("BP")))
      throw new SimError(`rule 8: MP ${inst.name} stopped while SP/BP run`);
  }
  /** Set by tests that tear the whole cluster down. */
  isFullShutdown = false;

  private applySql(op: Operation): void {
    const script = (op.stdin ?? "").split("\n");
    const conn = /^CONN SYSDBA\/"(.*)"@([^:]+):(\d+)$/.exec(script[0]);
    if (!conn) throw new SimError(`the script does not start with the login line: ${script[0]}`);
    const loginName = /^disql (\w+):/.exec(op.describe)![1];
    if (!this.running.has(loginName.toUpperCase())) throw new SimError(`disql into ${loginName}, which is not running`);
    for (const line of script.slice(1)) {
      const online = /^BACKUP DATABASE FULL(?: SHADOW)? BACKUPSET '(.*)';$/.exec(line);
      if (online) {
        // DM writes the set to <path>_<INSTANCE> (MGT §8.2.2.1.1)
        this.backups.set(`${op.connKey}|${online[1].replace(/''/g, "'")}_${loginName}`, this.inst(loginName).dataFrom ?? loginName.toUpperCase());
        continue;
      }
      if (!/^SP_/i.test(line) || /^SP_SET_PARA_VALUE\(/i.test(line)) continue; // a parameter in memory: no catalog change
      this.sql.push(line);
      this.call(parseCall(line), loginName);
    }
  }

  private raftByName(name: Arg): MutableCatalog["rafts"][number] {
    const r = this.catalog.rafts.find((x) => x.name.toUpperCase() === String(name).toUpperCase());
    if (!r) throw new SimError(`[-2] unknown RAFT group ${name}`);
    return r;
  }

  private call(c: { name: string; args: Arg[] }, login: string): void {
    const a = c.args;
    const str = (x: Arg) => String(x);
    switch (c.name) {
      case "SP_CREATE_DPC_INSTANCE": {
        if (a.length !== 10) throw new SimError(`${c.name} takes 10 arguments`);
        if (this.catalog.instances.length === 0 && str(a[1]).toUpperCase() !== login.toUpperCase())
          throw new SimError(`rule 3: the MP logged into (${login}) must be registered first, not ${a[1]}`);
        if (this.reg(str(a[1]))) throw new SimError(`duplicate instance ${a[1]}`);
        const raft = a[0] === null ? this.catalog.rafts[0] : this.raftByName(a[0]);
        this.catalog.instances.push({
          raftId: raft.id,
          instId: this.nextInst++,
          name: str(a[1]),
          mode: str(a[2]) as "MP",
          apPort: Number(a[3]),
          port: Number(a[4]),
          ipInternal: str(a[5]),
          ipExternal: str(a[6]),
          sysMode: str(a[7]),
          sysStatus: 6,
          status: Number(a[8]),
          description: str(a[9]),
          faultDomainId: null,
        });
        this.events.push(`register:${a[1]}`);
        return;
      }
      case "SP_CREATE_DPC_RAFT":
        if (this.catalog.rafts.some((r) => r.name.toUpperCase() === str(a[1]).toUpperCase())) throw new SimError(`duplicate raft ${a[1]}`);
        this.catalog.rafts.push({ id: this.nextRaft++, groupId: -1, mode: str(a[0]) as "BP", name: str(a[1]), valid: true });
        return;
      case "SP_CREATE_DPC_BP_GROUP":
        this.catalog.bpGroups.push({ id: this.nextGroup++, name: str(a[0]), description: str(a[1]), raftIds: [] });
        this.events.push(`bpgroup:${a[0]}`);
        return;
      case "SP_BP_GROUP_ADD_RAFT": {
        const g = this.catalog.bpGroups.find((x) => x.name === a[0]);
        if (!g) throw new SimError(`unknown BP group ${a[0]}`);
        g.raftIds.push(this.raftByName(a[1]).id);
        return;
      }
      case "SP_BP_GROUP_DEL_RAFT": {
        const g = this.catalog.bpGroups.find((x) => x.name === a[0])!;
        g.raftIds = g.raftIds.filter((id) => id !== this.raftByName(a[1]).id);
        return;
      }
      case "SP_DROP_DPC_BP_GROUP":
        this.catalog.bpGroups = this.catalog.bpGroups.filter((g) => g.name !== a[0]);
        return;
      case "SP_CREATE_FAULT_DOMAIN":
        this.catalog.faultDomains.push({ id: this.nextDomain++, name: str(a[0]), description: str(a[1]) });
        return;
      case "SP_MODIFY_FAULT_DOMAIN": {
        const d = this.catalog.faultDomains.find((x) => x.id === a[0])!;
        if (a[1] !== null) d.name = str(a[1]);
        if (a[2] !== null) d.description = str(a[2]);
        return;
      }
      case "SP_FAULT_DOMAIN_MV_INST": {
        const inst = this.reg(str(a[1]));
        if (!inst) throw new SimError(`unknown instance ${a[1]}`);
        if (a[0] === null) return void Object.assign(inst, { faultDomainId: null });
        const d = this.catalog.faultDomains.find((x) => x.name === a[0]);
        if (!d) throw new SimError(`unknown fault domain ${a[0]}`);
        if (inst.mode === "SP") throw new SimError(`SP ${a[1]} in a fault domain`);
        Object.assign(inst, { faultDomainId: d.id });
        return;
      }
      case "SP_DROP_FAULT_DOMAIN":
        this.catalog.faultDomains = this.catalog.faultDomains.filter((d) => d.name !== a[0]);
        return;
      case "SP_DROP_DPC_INSTANCE":
        if (this.running.has(str(a[0]).toUpperCase())) throw new SimError(`drop of running instance ${a[0]}`);
        this.catalog.instances = this.catalog.instances.filter((i) => i.name !== a[0]);
        return;
      case "SP_DROP_DPC_RAFT":
      case "SP_DROP_DPC_BP_RAFT": {
        const r = this.raftByName(a[0]);
        this.catalog.instances = this.catalog.instances.filter((i) => i.raftId !== r.id);
        this.catalog.rafts = this.catalog.rafts.filter((x) => x !== r);
        return;
      }
      case "SP_MODIFY_DPC_INSTANCE": {
        const i = this.reg(str(a[0]))!;
        Object.assign(i, {
          ...(a[1] !== "" ? { ipInternal: a[1] } : {}),
          ...(a[2] !== "" ? { ipExternal: a[2] } : {}),
          ...(a[3] !== "" ? { apPort: a[3] } : {}),
          ...(a[4] !== "" ? { port: a[4] } : {}),
        });
        return;
      }
      case "SP_ADD_RAFT_LEARNER":
      case "SP_ALTER_RAFT_NODE":
        return;
      default:
        throw new SimError(`[-2007] unknown procedure ${c.name}`);
    }
  }
}
