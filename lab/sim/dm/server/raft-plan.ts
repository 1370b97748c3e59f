/**
 * Whether a starting instance runs as a RAFT member (a multi-replica group with RAFT archiving),
 * and the start refusals of an inconsistent set-up (dm.ini, dmarch.ini against the catalog).
 */
import type { DbControl, DpcMode } from "../dbfiles";
import type { Catalog } from "./catalog";
import type { InstanceRow } from "./catalog-data";
import { ServerConfig, StartRefusal } from "./config";
import type { ServerLog } from "./log";
import { RaftNode } from "./raft";

export interface RaftPlanContext {
  cfg: ServerConfig;
  ctl: DbControl;
  mode: DpcMode;
  mount: boolean;
  log: ServerLog;
  registered: InstanceRow | undefined;
  /** The catalog as this instance sees it now (an SP/BP gets a new one on every change). */
  catalog(): Catalog | undefined;
  onChange(): void;
  /** An MP follower takes the leader's catalog with each heartbeat. */
  onReplicatedCatalog?(data: unknown): void;
  onExitAll(): void;
}

/** Decides whether this instance runs as a RAFT member, and refuses an inconsistent set-up. */
export function planRaft(x: RaftPlanContext): RaftNode | undefined {
  const catalog = x.catalog();
  const me = x.registered;
  if (!me || !catalog) {
    if (x.mode === "MP") return undefined; // an MP may start before it registers itself
    throw new StartRefusal(`实例[${x.cfg.instanceName}]未在MP中注册`);
  }
  const members = catalog.members(me.raftId);
  const arch = x.cfg.arch;
  if (members.length <= 1 || !arch || arch.peers.length === 0) {
    if (members.length > 1 && x.ctl.magicPending === false && x.ctl.restoredFrom && !x.mount) {
      x.log.warn("多副本RAFT组成员未配置RAFT归档, 以单机方式启动");
    }
    return undefined;
  }
  const group = catalog.raftById(me.raftId)?.name ?? String(me.raftId);
  const need = (ok: boolean, msg: string) => {
    if (!ok) throw new StartRefusal(`RAFT组[${group}]: ${msg}`);
  };
  need(x.cfg.archIni === 1, "dm.ini中ARCH_INI必须为1");
  need(x.cfg.alterModeStatus === 0, "多副本实例的dm.ini中ALTER_MODE_STATUS必须为0");
  need(x.mount, "多副本实例必须以MOUNT方式启动");
  need(arch.selfId !== undefined, "dmarch.ini中缺少RAFT_SELF_ID");
  need(arch.voteInterval !== undefined && arch.voteInterval > 0, "dmarch.ini中缺少RAFT_VOTE_INTERVAL");
  const ids = new Set<number>([arch.selfId!]);
  // The addresses a dmarch.ini names (XMAL_IP/PORT, ARCH_DEST_IP/PORT) are where DM connects:
  // they must be the registered XMAL address (the lab's check; registered ports win at start).
  need(arch.xmalIp === undefined || arch.xmalIp === me.ipInternal, `XMAL_IP[${arch.xmalIp}]与MP中注册的IP[${me.ipInternal}]不一致`);
  need(arch.xmalPort === undefined || arch.xmalPort === me.xmalPort, `XMAL_PORT[${arch.xmalPort}]与MP中注册的XMAL_PORT[${me.xmalPort}]不一致`);
  // KEY §5.20: no learner-type archive target on a shadow replica.
  need(!(x.ctl.shadow && arch.peers.some((p) => p.learner)), "影子库不能配置LEARNER类型的归档");
  for (const p of arch.peers) {
    const peer = catalog.instance(p.name);
    need(!!peer && peer.raftId === me.raftId, `ARCH_DEST[${p.name}]不是本RAFT组的实例`);
    need(p.name.toUpperCase() !== me.name.toUpperCase(), `ARCH_DEST[${p.name}]不能是实例自身`);
    need(!ids.has(p.id), `ARCH_DEST_ID[${p.id}]重复`);
    need(p.ip === undefined || p.ip === peer!.ipInternal, `ARCH_DEST_IP[${p.ip}]与实例[${p.name}]注册的IP不一致`);
    need(p.port === undefined || p.port === peer!.xmalPort, `ARCH_DEST_PORT[${p.port}]与实例[${p.name}]注册的XMAL_PORT不一致`);
    ids.add(p.id);
  }
  return new RaftNode({
    group, self: { name: me.name, id: arch.selfId! }, peers: arch.peers.map((p) => ({ name: p.name, id: p.id })), voteInterval: arch.voteInterval!,
    hbInterval: arch.hbInterval && arch.hbInterval > 0 ? arch.hbInterval : 150, lineage: x.ctl.lineage,
    dbMagic: x.ctl.dbMagic, shadow: x.ctl.shadow, learner: arch.learner, notStandby: !!x.ctl.notStandby,
    membership: () => {
      const cat = x.catalog()!;
      const learners = cat.members(me.raftId).filter((i) => i.learner).map((i) => ({ name: i.name, id: i.learnerId }));
      return { learners, voters: cat.raftById(me.raftId)?.voters ?? null };
    },
    resolve: (name) => {
      const i = x.catalog()?.instance(name);
      return i ? { host: i.ipInternal, port: i.xmalPort } : undefined;
    },
    log: (level, msg) => x.log.write(level, msg),
    onChange: () => x.onChange(),
    payload: x.mode === "MP" ? () => x.catalog()?.data : undefined,
    onPayload: x.onReplicatedCatalog,
    onExitAll: () => x.onExitAll(),
  });
}
