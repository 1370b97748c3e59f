import { randomBytes } from "node:crypto";
import type { Logic } from "../../converge";
import { CatalogView } from "../catalog";
import { groupLogins, planRaftGroup, planRaftGroupDelete, type RaftGroupActual } from "../plan";
import { RAFT_GROUP_IMMUTABLE, type RaftGroupSpec } from "../schema";
import { connectionSecrets, connectionsOf, diffFields, validated } from "./common";
import { readCatalog, readHosts } from "./read";
import { readMemberRaft } from "./read-raft";

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
    // A delete without the catalog would stop the members and leave their registrations (and
    // the group's) behind, with nothing to say so: refuse before anything stops.
    if (!cat.catalog && ctx.op === "delete" && s.role !== "MP")
      throw new Error(
        `dm:RaftGroup ${s.name}: cannot read the MP catalog, so the group's registrations cannot be removed: ${cat.errors.join("; ")}; ` +
          "nothing was stopped. next: check that the MP group runs and answers SQL, then run the delete (`pulumi up` or `pulumi destroy`) again",
      );
    return { catalog: await readMemberRaft(ctx, s, cat.catalog, members, removed), members, loginVia: cat.via };
  },
  plan: (s, actual, how) => planRaftGroup(s, actual, { catalogMayBeEmpty: how.creating, olds: how.olds, runId: randomBytes(4).toString("hex") }),
  planDelete: (s, actual) => planRaftGroupDelete(s, actual),
  // What the group owns and has settled when it returns: its catalog row, each member's
  // registration and role, which members run, the leader.
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
        // SYS_STATUS and STATUS are left out: each instance reports them on its own schedule
        // (an MP reports itself OPEN some time after it registered itself), so they have not
        // settled when the group returns, and a refresh right after an up would show them as drift.
        return {
          name: m.name,
          instId: row?.instId ?? null,
          sysMode: row?.sysMode ?? null,
          running: (a.members[m.name]?.pids.length ?? 0) > 0,
        };
      }),
    };
  },
  diff: (olds, news) => diffFields(olds, news, RAFT_GROUP_IMMUTABLE),
};
