/**
 * The catalog procedures of DMDPC配置 §6.2 that change the cluster horizontally (instances, RAFT
 * groups, BP groups, fault domains), the table of every procedure, and where each may run.
 */
import { ERR } from "../errors";
import type { Catalog } from "./catalog";
import type { RaftRow, Value } from "./catalog-data";
import { checkName, eqName, fail, keepOr, Procedure, str } from "./catalog-util";
import { RAFT_PROCEDURES } from "./raft-procedures";

const HORIZONTAL_PROCEDURES: Record<string, Procedure> = {
  SP_CREATE_DPC_INSTANCE: {
    args: ["str?", "str", "str", "int", "int", "str", "str?", "str", "int", "str?"],
    run(c, a) {
      const [raftName, name, modeRaw, xmal, port, ipi, ipe, sysModeRaw, status, desc] = a;
      const mode = str(modeRaw).toUpperCase();
      if (!["MP", "SP", "BP"].includes(mode)) fail(ERR.invalidMode(str(modeRaw)));
      const sysMode = str(sysModeRaw).toUpperCase();
      if (!["NORMAL", "STANDBY"].includes(sysMode)) fail(ERR.invalidSysMode(str(sysModeRaw)));
      checkName(str(name), 16);
      if (c.instance(str(name))) fail(ERR.instExists(str(name)));
      let raft: RaftRow | undefined;
      // For an MP the manual passes NULL (seed 7.3.4), 'MP_RAFT' or '' (§8.2.2.2.1).
      if (raftName === null || raftName === "" || eqName(str(raftName), "MP_RAFT")) {
        raft = c.raftById(0);
        if (mode !== "MP") fail(ERR.modeMismatch(str(name), "MP_RAFT"));
      } else {
        raft = c.raft(str(raftName));
        if (!raft) return fail(ERR.raftNotFound(str(raftName)));
        if (raft.dpcMode !== mode) fail(ERR.modeMismatch(str(name), raft.name));
        if (mode === "SP" && c.members(raft.raftId).length > 0) fail(ERR.spRaftFull(raft.name));
      }
      c.checkPorts(str(ipi), [xmal as number, port as number]);
      c.data.instances.push({
        raftId: raft!.raftId, instId: c.data.nextInstId++, name: str(name), dpcMode: mode, xmalPort: xmal as number,
        instPort: port as number, ipInternal: str(ipi), sysMode, sysStatus: 6, status: status as number,
        description: desc as string | null,
        // DM fills an empty external address with the internal one (the seed's 7.3 listing).
        ipExternal: ipe === null || ipe === "" ? str(ipi) : str(ipe), domainId: null,
      });
    },
  },
  SP_CREATE_DPC_RAFT: {
    args: ["str", "str"],
    run(c, a) {
      const mode = str(a[0]).toUpperCase();
      if (mode === "MP") fail(ERR.mpRaftImplicit());
      if (mode !== "BP" && mode !== "SP") fail(ERR.invalidMode(str(a[0])));
      checkName(str(a[1]), 128);
      if (c.raft(str(a[1]))) fail(ERR.raftExists(str(a[1])));
      c.data.rafts.push({ raftId: c.data.nextRaftId++, dpcMode: mode, name: str(a[1]) });
    },
  },
  SP_CREATE_DPC_BP_GROUP: {
    args: ["str", "str?"],
    run(c, a) {
      checkName(str(a[0]), 128);
      if (c.group(str(a[0]))) fail(ERR.groupExists(str(a[0])));
      c.data.groups.push({ id: c.data.nextGroupId++, name: str(a[0]), description: a[1] as string | null, rafts: [] });
    },
  },
  SP_BP_GROUP_ADD_RAFT: {
    args: ["str", "str"],
    run(c, a) {
      const g = c.group(str(a[0])) ?? fail(ERR.groupNotFound(str(a[0])));
      const r = c.raft(str(a[1])) ?? fail(ERR.raftNotFound(str(a[1])));
      if (r.dpcMode !== "BP") fail(ERR.notBpRaft(r.name));
      if (c.data.groups.some((x) => x.rafts.includes(r.raftId))) fail(ERR.raftAlreadyInGroup(r.name));
      g.rafts.push(r.raftId);
    },
  },
  SP_BP_GROUP_DEL_RAFT: {
    args: ["str", "str"],
    run(c, a) {
      const g = c.group(str(a[0])) ?? fail(ERR.groupNotFound(str(a[0])));
      const r = c.raft(str(a[1])) ?? fail(ERR.raftNotFound(str(a[1])));
      if (!g.rafts.includes(r.raftId)) fail(ERR.raftNotInGroup(r.name, g.name));
      // No data check here: the manual puts it on removing the group's instances (SP_DROP_DPC_INSTANCE).
      g.rafts = g.rafts.filter((x) => x !== r.raftId);
    },
  },
  SP_DROP_DPC_BP_GROUP: {
    args: ["str"],
    run(c, a) {
      const g = c.group(str(a[0])) ?? fail(ERR.groupNotFound(str(a[0])));
      if (g.rafts.length > 0) fail(ERR.groupHasRafts(g.name));
      c.data.groups = c.data.groups.filter((x) => x !== g);
    },
  },
  SP_CREATE_FAULT_DOMAIN: {
    args: ["str", "str?"],
    run(c, a) {
      checkName(str(a[0]), 128);
      if (c.domain(str(a[0]))) fail(ERR.domainExists(str(a[0])));
      c.data.domains.push({ id: c.data.nextDomainId++, name: str(a[0]), description: a[1] as string | null });
    },
  },
  SP_FAULT_DOMAIN_MV_INST: {
    args: ["str?", "str"],
    run(c, a) {
      const inst = c.instance(str(a[1])) ?? fail(ERR.instNotFound(str(a[1])));
      if (a[0] === null) {
        inst.domainId = null;
        return;
      }
      const d = c.domain(str(a[0])) ?? fail(ERR.domainNotFound(str(a[0])));
      if (inst.dpcMode === "SP") fail(ERR.spInDomain(inst.name));
      const peer = c.data.instances.find((i) => i !== inst && i.raftId === inst.raftId && i.domainId === d.id);
      if (peer) fail(ERR.sameRaftInDomain(inst.name, d.name));
      inst.domainId = d.id;
    },
  },
  SP_DROP_FAULT_DOMAIN: {
    args: ["str", "int"],
    run(c, a) {
      const d = c.domain(str(a[0])) ?? fail(ERR.domainNotFound(str(a[0])));
      const inside = c.data.instances.filter((i) => i.domainId === d.id);
      if (inside.length > 0 && a[1] === 0) fail(ERR.domainHasMembers(d.name));
      for (const i of inside) i.domainId = null;
      c.data.domains = c.data.domains.filter((x) => x !== d);
    },
  },
  SP_MODIFY_FAULT_DOMAIN: {
    args: ["int", "str?", "str?"],
    run(c, a) {
      const d = c.data.domains.find((x) => x.id === a[0]) ?? fail(ERR.domainNotFound(String(a[0])));
      if (a[1] !== null && a[1] !== "") {
        const other = c.domain(str(a[1]));
        if (other && other !== d) fail(ERR.domainExists(str(a[1])));
        d.name = str(a[1]);
      }
      if (a[2] !== null) d.description = str(a[2]);
    },
  },
  SP_DROP_DPC_INSTANCE: {
    args: ["str"],
    run(c, a, self) {
      const inst = c.instance(str(a[0])) ?? fail(ERR.instNotFound(str(a[0])));
      if (eqName(inst.name, self)) fail(ERR.dropSelf(self));
      // "只剩最后一个实例则不能删除" (DMDPC配置 §6.2.8) read with the manual's own scale-in (§8.2.1),
      // which drops a single-replica SP/BP group's only member: the rule holds for the MP group,
      // whose last member keeps the catalog.
      if (inst.raftId === 0 && c.members(0).length === 1) fail(ERR.lastInstance(inst.name));
      // "没有数据的 RAFT 组内节点才能删除" (DMDPC的关键技术 §5.10; §8.8.4.3.1.1: BP11 and BP12 cannot
      // be dropped while table objects use their RAFT_ID). A replica SP_ALTER_RAFT_NODE already took
      // out of the configuration is dropped (§8.2.2.1.2): the group keeps its data on the others.
      const raftRow = c.raftById(inst.raftId);
      const leftConfiguration = raftRow?.voters !== undefined && !raftRow.voters.some((v) => eqName(v, inst.name));
      if (!leftConfiguration && c.tablesOn(inst.raftId).length > 0) fail(ERR.raftHasData(inst.name, c.raftById(inst.raftId)?.name ?? String(inst.raftId)));
      if (inst.sysStatus !== 6) fail(ERR.instRunning(inst.name));
      c.data.instances = c.data.instances.filter((x) => x !== inst);
      delete c.data.raftInfo[inst.name];
      if (raftRow?.voters) raftRow.voters = raftRow.voters.filter((v) => !eqName(v, inst.name));
    },
  },
  SP_DROP_DPC_RAFT: { args: ["str"], run: dropRaft },
  SP_DROP_DPC_BP_RAFT: { args: ["str"], run: dropRaft },
  SP_MODIFY_DPC_INSTANCE: {
    args: ["str", "keep", "keep", "keep", "keep"],
    run(c, a) {
      const P = "SP_MODIFY_DPC_INSTANCE";
      const inst = c.instance(str(a[0])) ?? fail(ERR.instNotFound(str(a[0])));
      const ipi = keepOr(a[1], inst.ipInternal, false, P, 2);
      const ipe = keepOr(a[2], inst.ipExternal, false, P, 3);
      const xmal = keepOr(a[3], inst.xmalPort, true, P, 4);
      const port = keepOr(a[4], inst.instPort, true, P, 5);
      c.checkPorts(ipi, [xmal, port], inst);
      Object.assign(inst, { ipInternal: ipi, ipExternal: ipe, xmalPort: xmal, instPort: port });
    },
  },
  SP_RENAME_DPC_INSTANCE: {
    args: ["str", "str"],
    run(c, a, self) {
      const inst = c.instance(str(a[0])) ?? fail(ERR.instNotFound(str(a[0])));
      checkName(str(a[1]), 16);
      if (c.instance(str(a[1]))) fail(ERR.instExists(str(a[1])));
      if (inst.sysStatus !== 6 && !eqName(inst.name, self)) fail(ERR.instRunning(inst.name));
      const info = c.data.raftInfo[inst.name];
      delete c.data.raftInfo[inst.name];
      const raft = c.raftById(inst.raftId);
      if (raft?.voters) raft.voters = raft.voters.map((v) => (eqName(v, inst.name) ? str(a[1]) : v));
      inst.name = str(a[1]);
      if (info) c.data.raftInfo[inst.name] = info;
    },
  },
};

export const PROCEDURES: Record<string, Procedure> = { ...HORIZONTAL_PROCEDURES, ...RAFT_PROCEDURES };


/**
 * Where a catalog procedure may run besides the MP, which keeps the catalog (the instance hands it
 * to the MP): the horizontal scale-out and scale-in procedures on an SP ("既可以登录到 SP 上执行，
 * 也可以登录到 MP 上执行", DMDPC 集群的管理与使用 §8.2.1); the fault-domain ones on an SP or a BP
 * running in BS mode ("可在 MP、BS、SP 上执行，BP 报错", DMDPC配置 §6.2.41-6.2.44). Everything else
 * (the first deployment: "必须登录MP进行操作", DMDPC 集群部署 §7.1.4; renames, modifications) is the
 * MP's, and a plain BP refuses them all.
 */
const HORIZONTAL = [
  "SP_CREATE_DPC_INSTANCE",
  "SP_CREATE_DPC_RAFT",
  "SP_CREATE_DPC_BP_GROUP",
  "SP_BP_GROUP_ADD_RAFT",
  "SP_BP_GROUP_DEL_RAFT",
  "SP_DROP_DPC_BP_GROUP",
  "SP_DROP_DPC_INSTANCE",
  "SP_DROP_DPC_RAFT",
  "SP_DROP_DPC_BP_RAFT",
];
const FAULT_DOMAIN = ["SP_CREATE_FAULT_DOMAIN", "SP_FAULT_DOMAIN_MV_INST", "SP_DROP_FAULT_DOMAIN", "SP_MODIFY_FAULT_DOMAIN"];
const ELSEWHERE: Readonly<Record<string, ReadonlySet<string>>> = {
  SP: new Set([...HORIZONTAL, ...FAULT_DOMAIN]),
  BS: new Set(FAULT_DOMAIN),
};

/** Whether an instance started with `dpcMode` (dmserver's dpc_mode: SP, BP, BS) hands `proc` to the MP. */
export function runsThroughMp(dpcMode: string, proc: string): boolean {
  return ELSEWHERE[dpcMode.toUpperCase()]?.has(proc.toUpperCase()) ?? false;
}

/** A procedure's argument count, or undefined for an unknown name. */
export function procedureArity(name: string): number | undefined {
  return PROCEDURES[name.toUpperCase()]?.args.length;
}

function dropRaft(c: Catalog, a: Value[]): void {
  const r = c.raft(str(a[0])) ?? fail(ERR.raftNotFound(str(a[0])));
  if (r.raftId === 0) fail(ERR.mpRaftImplicit());
  // "删除 RAFT 组必须先删除组内包含的所有节点"; the data rule is on those instances. The manual's
  // scale-in (§8.2.1.1.2) drops the group while its BP group still lists it, then the BP group:
  // the RAFT group leaves its BP group with it.
  if (c.members(r.raftId).length > 0) fail(ERR.raftHasMembers(r.name));
  for (const g of c.data.groups) g.rafts = g.rafts.filter((x) => x !== r.raftId);
  c.data.rafts = c.data.rafts.filter((x) => x !== r);
}

export const PROCEDURE_NAMES = Object.keys(PROCEDURES);
