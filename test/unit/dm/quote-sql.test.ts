import { NULL, connLine, dmsql, sqlIdent, sqlString } from "../../../provider/dm/quote";
import { CATALOG_QUERIES, DISQL_SETTINGS, RMAN, SQL, catalogReadScript, disqlScript, registrationMode } from "../../../provider/dm/sql";
import { hostileStrings } from "../../fixtures/hostile-strings";
import { parseCall } from "./helpers/sql-parse";

describe("DM SQL quoting", () => {
  test.each(hostileStrings.map((h) => [h]))("%j round-trips through a string literal and a procedure call", (h) => {
    expect(sqlString(h)).toMatch(/^'.*'$/s);
    expect(parseCall(dmsql`SP_X(${h}, ${1}, ${null}, ${h});`).args).toEqual([h, 1, null, h]);
  });

  test("identifiers double their quotes; NUL is refused everywhere", () => {
    expect(sqlIdent('a"b')).toBe('"a""b"');
    expect(sqlString("it's")).toBe("'it''s'");
    expect(() => sqlString("a\0b")).toThrow(/NUL/);
    expect(() => sqlIdent("a\0b")).toThrow(/NUL/);
    expect(() => sqlIdent("")).toThrow();
    expect(() => dmsql`SELECT ${Number.NaN}`).toThrow(/finite/);
    expect(dmsql`SP_X(${NULL}, ${true})`).toBe("SP_X(NULL, 1)");
  });

  test("the login line takes the password in double quotes and refuses one it cannot carry", () => {
    expect(connLine("p@ss/w'rd $x", "127.0.10.1", 5236)).toBe(`CONN SYSDBA/"p@ss/w'rd $x"@127.0.10.1:5236`);
    expect(() => connLine('pa"ss', "127.0.10.1", 5236)).toThrow(/double quote/);
    expect(() => connLine("pass\nEXIT", "127.0.10.1", 5236)).toThrow(/line break/);
    expect(() => connLine("password1", "127.0.0.1; rm", 5236)).toThrow(/address/);
  });
});

describe("SQL text", () => {
  test("procedure calls as the seed types them", () => {
    expect(SQL.createInstance({ raft: null, name: "MP", mode: "MP", apPort: 6003, port: 5239, ipInternal: "223.254.30.136", ipExternal: "223.254.30.136", ...registrationMode("MP", false), description: "MP instance" }))
      .toBe("SP_CREATE_DPC_INSTANCE(NULL, 'MP', 'MP', 6003, 5239, '223.254.30.136', '223.254.30.136', 'NORMAL', 1, 'MP instance');");
    expect(registrationMode("SP", false)).toEqual({ sysMode: "NORMAL", status: 2 });
    expect(registrationMode("BP", true)).toEqual({ sysMode: "STANDBY", status: 0 });
    expect(SQL.faultDomainMoveInstance(null, "BP1")).toBe("SP_FAULT_DOMAIN_MV_INST(NULL, 'BP1');");
    expect(SQL.modifyInstance("BP1", "", "", 6100, "")).toBe("SP_MODIFY_DPC_INSTANCE('BP1', '', '', 6100, '');");
    expect(SQL.alterRaftNode(["BP11", "BP12", "BP13"])).toBe("SP_ALTER_RAFT_NODE('BP11/BP12/BP13');");
  });

  test("dmrman statements of the seed (7.2.7.1, 7.5.1)", () => {
    expect(RMAN.backup("/d/bp11/DAMENG/dm.ini", "BACKUP_01", "/d/bp11/BACKUP_01")).toBe("BACKUP DATABASE '/d/bp11/DAMENG/dm.ini' FULL TO BACKUP_01 BACKUPSET '/d/bp11/BACKUP_01'");
    expect(RMAN.backup("/d/x", "B", "/d/s", true)).toBe("BACKUP DATABASE '/d/x' FULL SHADOW TO B BACKUPSET '/d/s'");
    expect(RMAN.restore("/d/bp12/DAMENG/dm.ini", "/d/bp11/BACKUP_02", true)).toBe("RESTORE DATABASE '/d/bp12/DAMENG/dm.ini' TO SHADOW FROM BACKUPSET '/d/bp11/BACKUP_02'");
    expect(RMAN.updateDbMagic("/it's/dm.ini")).toBe("RECOVER DATABASE '/it''s/dm.ini' UPDATE DB_MAGIC");
  });

  test("a disql script: login first, machine-friendly settings, statements, EXIT", () => {
    const s = disqlScript({ password: "SYSDBA_pw1", ip: "10.0.0.1", port: 5236 }, ["SP_X(1);"]).split("\n");
    expect(s[0]).toBe('CONN SYSDBA/"SYSDBA_pw1"@10.0.0.1:5236');
    expect(s.slice(1, 1 + DISQL_SETTINGS.length)).toEqual([...DISQL_SETTINGS]);
    expect(s.slice(-3)).toEqual(["SP_X(1);", "EXIT", ""]);
    for (const want of ["SET HEADING ON", "SET FEEDBACK OFF", "SET TIMING OFF", "SET LINESHOW OFF", "SET COLSEP '|'", "WHENEVER SQLERROR EXIT 3"]) expect(s).toContain(want);
  });

  test("the catalog read selects every table once, each after its marker, and ends with the end marker", () => {
    const s = catalogReadScript({ password: "SYSDBA_pw1", ip: "10.0.0.1", port: 5236 }, { views: true });
    for (const [name, q] of Object.entries(CATALOG_QUERIES)) expect(s).toContain(`PROMPT ##DPC:${name}\n${q}\n`);
    expect(s).toContain("PROMPT ##DPC:V$GLOBAL_RAFT_INFO\nSELECT INSTANCE_NAME, RAFT_ID, IS_LEARNER, RAFT_STAT, SYS_MODE FROM V$GLOBAL_RAFT_INFO;");
    expect(s.trimEnd().split("\n").slice(-2)).toEqual(["PROMPT ##DPC:END", "EXIT"]);
    // what the handlers read: the tables and, for shadow replicas (7.5.2), V$GLOBAL_RAFT_INFO only
    const r = catalogReadScript({ password: "SYSDBA_pw1", ip: "10.0.0.1", port: 5236 }, { raftInfo: true });
    expect(r).toContain("PROMPT ##DPC:V$GLOBAL_RAFT_INFO\nSELECT INSTANCE_NAME, RAFT_ID, IS_LEARNER, RAFT_STAT, SYS_MODE FROM V$GLOBAL_RAFT_INFO;");
    expect(r).not.toContain("V$DPC_EDCT_INSTANCE");
  });
});
