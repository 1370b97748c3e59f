/** Which mp.ini entry an MP serves, and the start refusals of a clashing mp_port. */
import * as path from "path";
import { hostAddr } from "../host";
import type { Catalog } from "./catalog";
import { MpEndpoint, ServerConfig, StartRefusal } from "./config";

/** The mp.ini entry this MP serves: [MP<RAFT_SELF_ID>], else its place among the MP_RAFT members. */
export function ownMpEndpoint(cfg: ServerConfig, catalog: Catalog): MpEndpoint {
  const eps = cfg.mp;
  if (eps.length === 0) throw new StartRefusal(`mp.ini[${path.join(cfg.dbDir, "mp.ini")}]不存在或未配置mp_host/mp_port`);
  if (eps.length === 1) return eps[0];
  const bySelf = cfg.arch?.selfId !== undefined ? eps.find((e) => e.section === `MP${cfg.arch!.selfId}`) : undefined;
  if (bySelf) return bySelf;
  const idx = catalog.members(0).findIndex((m) => m.name.toUpperCase() === cfg.instanceName.toUpperCase());
  const byOrder = idx >= 0 ? eps.find((e) => e.section === `MP${idx + 1}`) : undefined;
  return byOrder ?? eps.find((e) => e.host === hostAddr()) ?? eps[0];
}

export function checkMpPort(catalog: Catalog, ep: MpEndpoint, sqlPort: number, apPort: number): void {
  if (ep.port === sqlPort || ep.port === apPort) throw new StartRefusal(`mp.ini中的mp_port[${ep.port}]与本实例的端口冲突`);
  const clash = catalog.data.instances.find((i) => i.xmalPort === ep.port || (i.ipInternal === ep.host && i.instPort === ep.port));
  if (clash) throw new StartRefusal(`mp.ini中的mp_port[${ep.port}]与实例[${clash.name}]的AP_PORT_NUM/PORT_NUM冲突`);
}
