/** An SP's or BP's session with the serving MP: found in mp.ini at start, found again when lost. */
import * as path from "path";
import type { DpcMode } from "../dbfiles";
import { Msg, Session } from "../wire";
import type { CatalogData } from "./catalog-data";
import { ServerConfig, StartRefusal } from "./config";
import type { ServerLog } from "./log";

/** The first MP in mp.ini that takes this instance; refuses the start when none does within 5 s. */
export async function attachToMp(
  cfg: ServerConfig,
  mode: DpcMode,
  log: ServerLog,
  onPush: (m: Msg) => void,
  onLost: () => void,
): Promise<{ session: Session; catalog: CatalogData }> {
  if (cfg.mp.length === 0) throw new StartRefusal(`mp.ini[${path.join(cfg.dbDir, "mp.ini")}]不存在或未配置mp_host/mp_port`);
  const deadline = Date.now() + 5000;
  let lastProblem = "";
  while (Date.now() < deadline) {
    for (const ep of cfg.mp) {
      let session: Session;
      try {
        session = await Session.open(ep.host, ep.port, onPush, onLost, 1000);
      } catch (err) {
        lastProblem = `连接MP[${ep.host}:${ep.port}]失败: ${(err as NodeJS.ErrnoException).code ?? String(err)}`;
        continue;
      }
      const r = await session.call({ op: "attach", name: cfg.instanceName, mode });
      if (r.ok) {
        log.info(`已连接MP[${ep.host}:${ep.port}]`);
        return { session, catalog: r.catalog as CatalogData };
      }
      session.close();
      if (r.refuse) throw new StartRefusal(String(r.refuse));
      lastProblem = `MP[${ep.host}:${ep.port}]: ${String(r.error ?? "不可用")}`;
    }
    await new Promise((res) => setTimeout(res, 250));
  }
  throw new StartRefusal(`无法连接到可用的MP, ${lastProblem}`);
}

/** After the MP session dropped: an MP that takes this instance within 2 s, else undefined (the caller halts). */
export async function reattachToMp(
  cfg: ServerConfig,
  mode: DpcMode,
  finished: () => boolean,
  onPush: (m: Msg) => void,
  onLost: () => void,
): Promise<Session | undefined> {
  const deadline = Date.now() + 2000;
  while (Date.now() < deadline && !finished()) {
    for (const ep of cfg.mp) {
      try {
        const s = await Session.open(ep.host, ep.port, onPush, onLost, 500);
        const r = await s.call({ op: "attach", name: cfg.instanceName, mode });
        if (r.ok) return s;
        s.close();
      } catch {
        /* try the next MP */
      }
    }
    await new Promise((res) => setTimeout(res, 200));
  }
  return undefined;
}
