/** The dm.ini keys every member of a multi-replica group needs, put back when changed by hand. */
import type { Operation } from "../../ops";
import type { MemberSpec } from "../../schema";
import { setIniOp } from "../common";
import type { GroupView } from "./view";

/** The dm.ini keys of a multi-replica member (seed 7.2.7.2, 7.3.6.3). */
export const RAFT_DM_INI = { ARCH_INI: 1, ALTER_MODE_STATUS: 0 } as const;

/** A member started with ARCH_INI = 0 would not archive for its peers: set the keys back. */
export function raftIniOps(v: GroupView, members: readonly MemberSpec[]): Operation[] {
  return members.flatMap((m) => {
    const changes = v.iniChanges(m, RAFT_DM_INI);
    const keys = Object.keys(changes);
    return keys.length ? [setIniOp(m, "dm.ini", changes, `multi-replica member's dm.ini differs: ${keys.join(", ")} (read at the next start)`)] : [];
  });
}
