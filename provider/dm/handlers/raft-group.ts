import { randomBytes } from "node:crypto";
import type { Logic } from "../../converge";
import { CatalogView } from "../catalog";
import { groupLogins, planRaftGroup, planRaftGroupDelete, type RaftGroupActual } from "../plan";
import { RAFT_GROUP_IMMUTABLE, type RaftGroupSpec } from "../schema";
import { connectionSecrets, connectionsOf, diffFields, validated } from "./common";
import { readCatalog, readHosts } from "./read";

export const raftGroupLogic: Logic<RaftGroupSpec, RaftGroupActual> = {
  kind: "dm:RaftGroup",
  validate: (inputs, olds) => validated("RaftGroup", inputs, olds),
  name: (s) => s.name,
  secrets: (s) => [s.sysdbaPassword, ...connectionSecrets([...s.members, ...s.mp])],
  connections: (s, olds) => connectionsOf([...s.members, ...s.mp, ...(olds ? [...olds.members, ...olds.mp] : [])]),
  async read(s, ctx, olds) {
    const removed = (olds?.members ?? []).filter((o) => !s.members.some((m) => m.name.toUpperCase() === o.name.toUpperCase()));
    const [cat, members] = await Promise.all([readCatalog(ctx, groupLogins(s), s.sysdbaPassword), readHosts(ctx, [...s.members, ...removed])]);
    if (!cat.catalog && cat.errors.length > 0) ctx.log.info(`catalog not readable: ${cat.errors.join("; ")}`);
    return { catalog: cat.catalog, members, loginVia: cat.via };
  },
  plan: (s, actual, how) => planRaftGroup(s, actual, { catalogMayBeEmpty: how.creating, olds: how.olds, runId: randomBytes(4).toString("hex") }),
  planDelete: (s, actual) => planRaftGroupDelete(s, actual),
  observe(s, a) {
    const view = a.catalog && new CatalogView(a.catalog);
    const rows = (view?.catalog.instances ?? []).filter((i) => s.members.some((m) => m.name.toUpperCase() === i.name.toUpperCase()));
    const leader = rows.find((r) => r.sysMode === "PRIMARY");
    return {
      catalogReadable: a.catalog !== null,
      raftId: s.role === "MP" ? 0 : (view?.raft(s.name)?.id ?? null),
      leader: leader?.name ?? (s.members.length === 1 && rows.length === 1 ? rows[0].name : null),
      members: s.members.map((m) => {
        const row = rows.find((r) => r.name.toUpperCase() === m.name.toUpperCase());
        return {
          name: m.name,
          instId: row?.instId ?? null,
          sysMode: row?.sysMode ?? null,
          sysStatus: row?.sysStatus ?? null,
          status: row?.status ?? null,
          running: (a.members[m.name]?.pids.length ?? 0) > 0,
        };
      }),
    };
  },
  diff: (olds, news) => diffFields(olds, news, RAFT_GROUP_IMMUTABLE),
};
