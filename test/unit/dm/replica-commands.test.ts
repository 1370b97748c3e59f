/**
 * The pieces of the manual's replica procedure (DM8 manual §8.2.2) that are pure or run locally:
 * the online set's restore command (run against a fake dmrman that records its CTLSTMT), the
 * learner's dmarch.ini, the dpc_mode a member starts with, where DM puts an online set.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { restoreOnlineSetCommand, serverDpcMode } from "../../../provider/dm/commands";
import { parseDmarchIni, parseIni, renderDmarchIni } from "../../../provider/dm/ini";
import { onlineBackupSet, SQL } from "../../../provider/dm/sql";
import { makeFakeTools, type FakeTools } from "./helpers/fake-tools";

let t: FakeTools;
beforeEach(() => {
  t = makeFakeTools();
});
afterEach(() => t.cleanup());

/** A dmrman that records each CTLSTMT on its own line and answers SHOW with `show`, line by line. */
function fakeDmrman(show: string): void {
  fs.writeFileSync(
    path.join(t.bin, "dmrman"),
    `#!/bin/bash\nfor a in "$@"; do case "$a" in CTLSTMT=*) printf '%s\\n' "\${a#CTLSTMT=}" >> "$FAKE_RECORD";; esac; done\ncase "$1" in "CTLSTMT=SHOW"*) printf '%b\\n' ${JSON.stringify(show)};; esac\n`,
    { mode: 0o755 },
  );
}

const layout = { path: "/d/it's here", dbName: "DAMENG" };
const set = "/d/bp1/BACKUP_RAFT_1_JOIN_r1_BP1";

test("the online set's restore: SHOW BACKUPSET's BAK_MAGIC goes into RESTORE and RECOVER FOR STANDBY, quoting intact", () => {
  fakeDmrman("backup name: X\nBAK_MAGIC: 1903999294\nshow backupset successfully.");
  const r = t.run(restoreOnlineSetCommand(layout, set));
  expect(r.code).toBe(0);
  expect(fs.readFileSync(t.record, "utf8").trim().split("\n")).toEqual([
    `SHOW BACKUPSET '${set}'`,
    `RESTORE DATABASE '/d/it''s here/DAMENG/dm.ini' FROM BACKUPSET '${set}' USE BAK_MAGIC 1903999294`,
    `RECOVER DATABASE '/d/it''s here/DAMENG/dm.ini' FOR STANDBY FROM BACKUPSET '${set}' USE BAK_MAGIC 1903999294 UNTIL END_LSN`,
  ]);
});

test("the BAK_MAGIC is read from its own line, not from dmrman's echo of the statement whose set path holds BAK_MAGIC1", () => {
  const odd = "/d/BAK_MAGIC1/BACKUP_RAFT_1_JOIN_r1_BP1";
  fakeDmrman(`SHOW BACKUPSET '${odd}'\nbackup name: X\n  BAK_MAGIC: 1903999294\nshow backupset successfully.`);
  const r = t.run(restoreOnlineSetCommand(layout, odd));
  expect(r.code).toBe(0);
  expect(fs.readFileSync(t.record, "utf8").trim().split("\n").slice(1)).toEqual([
    `RESTORE DATABASE '/d/it''s here/DAMENG/dm.ini' FROM BACKUPSET '${odd}' USE BAK_MAGIC 1903999294`,
    `RECOVER DATABASE '/d/it''s here/DAMENG/dm.ini' FOR STANDBY FROM BACKUPSET '${odd}' USE BAK_MAGIC 1903999294 UNTIL END_LSN`,
  ]);
});

test("no BAK_MAGIC in SHOW's output: nothing is restored, the error names the set", () => {
  fakeDmrman("backup name: X\nshow backupset successfully.");
  const r = t.run(restoreOnlineSetCommand(layout, set));
  expect(r.code).not.toBe(0);
  expect(r.stderr).toContain(`printed no BAK_MAGIC for ${set}`);
  expect(fs.readFileSync(t.record, "utf8").trim().split("\n")).toEqual([`SHOW BACKUPSET '${set}'`]);
});

test("a learner's dmarch.ini as the manual's BP example writes it: XMAL address, the other learner as LEARNER, ARCH_DEST addresses", () => {
  const text = renderDmarchIni(
    { dest: "/d/bp4/DAMENG/arch", fileSizeMb: 128, spaceLimitMb: 0 },
    {
      selfId: 4, voteInterval: 3000, xmalHbInterval: 5, raftHbInterval: 150, learner: true, xmal: { ip: "10.0.0.4", port: 6606 },
      peers: [{ name: "BP1", id: 1, ip: "10.0.0.1", port: 6601 }, { name: "BP5", id: 5, learner: true, ip: "10.0.0.5", port: 6607 }],
    },
  );
  const ini = parseIni(text);
  expect(Object.keys(ini.global)).toEqual(["XMAL_HB_INTERVAL", "RAFT_HB_INTERVAL", "RAFT_VOTE_INTERVAL", "XMAL_IP", "XMAL_PORT", "RAFT_SELF_ID", "RAFT_LEARNER"]);
  expect(Object.values(ini.sections)).toEqual([
    { ARCH_TYPE: "RAFT", ARCH_DEST: "BP1", ARCH_DEST_IP: "10.0.0.1", ARCH_DEST_PORT: "6601", ARCH_DEST_ID: "1" },
    { ARCH_TYPE: "LEARNER", ARCH_DEST: "BP5", ARCH_DEST_IP: "10.0.0.5", ARCH_DEST_PORT: "6607", ARCH_DEST_ID: "5" },
    expect.objectContaining({ ARCH_TYPE: "LOCAL" }),
  ]);
  // a LEARNER section is still a peer of the group
  expect([...parseDmarchIni(text).peers.entries()]).toEqual([["BP1", 1], ["BP5", 5]]);
});

test("BS mode for the BPs of multi-replica groups (started with MOUNT) only; the online set's name; SP_ADD_RAFT_LEARNER's four arguments", () => {
  expect([serverDpcMode({ mode: "BP", mount: true }), serverDpcMode({ mode: "BP" }), serverDpcMode({ mode: "MP", mount: true }), serverDpcMode({ mode: "SP" })]).toEqual(["BS", "BP", "MP", "SP"]);
  expect(onlineBackupSet("/d/bp1/bak", "BP1")).toBe("/d/bp1/bak_BP1");
  expect(SQL.addRaftLearner("BP4", "192.168.1.68", 6606, 4)).toBe("SP_ADD_RAFT_LEARNER('BP4', '192.168.1.68', 6606, 4);");
  expect(SQL.addRaftLearner("B'P", "1.2.3.4", 1, 2)).toBe("SP_ADD_RAFT_LEARNER('B''P', '1.2.3.4', 1, 2);");
});
