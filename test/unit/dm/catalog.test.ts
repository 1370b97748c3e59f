import { CatalogReadError, CatalogView, decodeRaftInfo, encodeRaftInfo, faultDomainOfInfo1, parseCatalog } from "../../../provider/dm/catalog";
import { parseCell, parseDmErrors, parseResultSet, splitSections } from "../../../provider/dm/disql-output";

/** disql's output for catalogReadScript over the seed's 7.2 catalog (7.2.5), as DM pads it. */
const OUTPUT = `##DPC:DPC_INSTANCE
RAFT_ID    |INST_ID    |NAME|DPC_MODE|XMAL_PORT  |INST_PORT  |IP_INTERNAL   |SYS_MODE|SYS_STATUS |STATUS     |IP_EXTERNAL   |INFO1      |DESCRIPTION
-----------|-----------|----|--------|-----------|-----------|--------------|--------|-----------|-----------|--------------|-----------|-----------
0          |4096       |MP  |MP      |6001       |5237       |223.254.30.136|NORMAL  |6          |1          |223.254.30.136|65536      |MP instance
1          |4097       |BP11|BP      |6002       |5238       |223.254.30.136|STANDBY |6          |0          |223.254.30.136|65536      |BP instance
1          |4098       |BP12|BP      |6003       |5239       |223.254.30.136|PRIMARY |4          |1          |223.254.30.136|131072     |BP | instance, with a bar
3          |4103       |SP1 |SP      |6000       |5236       |223.254.30.136|NORMAL  |6          |2          |223.254.30.136|NULL       |NULL
##DPC:DPC_BP_RAFT
RAFT_ID    |GROUP_ID   |DPC_MODE|NAME    |IS_VALID
-----------|-----------|--------|--------|-----------
0          |-1         |MP      |MP_RAFT |1
1          |-1         |BP      |RAFT_1  |1
2          |-1         |BP      |RAFT_2  |1
3          |-1         |SP      |RAFT_SP1|1
##DPC:DPC_BP_GROUP
ID         |NAME|RAFT_NUM   |RAFT_INFO |INFO1      |DESCRIPTION
-----------|----|-----------|----------|-----------|-----------
1          |BG_1|2          |0x01000200|0          |bp group1
##DPC:DPC_FAULT_DOMAIN
DOMAIN_ID  |NAME  |DESCRIPTION
-----------|------|-----------
1          |FDOM_1|shanghai_1
2          |FDOM_2|shanghai_2
##DPC:DPC_TABLESPACE
TS_ID      |RAFT_ID    |NAME
-----------|-----------|----
1          |2          |TS_1
##DPC:END
`;

describe("disql output", () => {
  test("cells: NULL, integers, text", () => {
    expect(parseCell(" NULL ")).toBeNull();
    expect(parseCell("-1")).toBe(-1);
    expect(parseCell("0x0100")).toBe("0x0100");
    expect(parseCell("123", "string")).toBe("123");
    expect(() => parseCell("x", "int")).toThrow();
  });

  test("a result set with a 行号 column (LINESHOW ON) and a repeated header", () => {
    const rows = parseResultSet(["行号 |ID|NAME", "---|--|----", "1 |1|A", "行号 |ID|NAME", "2 |2|B"]);
    expect(rows).toEqual([{ ID: 1, NAME: "A" }, { ID: 2, NAME: "B" }]);
  });

  test("DM error lines", () => {
    expect(parseDmErrors("ok\n第1 行附近出现错误[-2111]:无效的列名[C1].\n[-2007]: 语法分析出错\n")).toEqual([
      { code: -2111, message: "无效的列名[C1].", line: "第1 行附近出现错误[-2111]:无效的列名[C1]." },
      { code: -2007, message: "语法分析出错", line: "[-2007]: 语法分析出错" },
    ]);
    // A [-n] in row data is not an error: only a line that starts with DM's error form is.
    expect(parseDmErrors("BG_1|moved per ticket [-42]\n3|x|[-42]:moved\n7|第1 行附近出现错误[-2111]:x.\n")).toEqual([]);
    expect(parseDmErrors("SQL> [-70028]:创建SOCKET连接失败.\n")).toEqual([{ code: -70028, message: "创建SOCKET连接失败.", line: "[-70028]:创建SOCKET连接失败." }]);
  });

  test("sections split at the markers; the end marker proves completeness", () => {
    const s = splitSections(OUTPUT);
    expect([...s.sections.keys()]).toEqual(["DPC_INSTANCE", "DPC_BP_RAFT", "DPC_BP_GROUP", "DPC_FAULT_DOMAIN", "DPC_TABLESPACE"]);
    expect(s.complete).toBe(true);
    expect(splitSections(OUTPUT.replace("##DPC:END\n", "")).complete).toBe(false);
  });
});

describe("catalog", () => {
  test("RAFT_INFO is 16-bit little-endian per RAFT id (the seed's listings)", () => {
    expect(decodeRaftInfo("0x01000200")).toEqual([1, 2]);
    expect(decodeRaftInfo("0x0100")).toEqual([1]);
    expect(decodeRaftInfo("0x0001")).toEqual([256]);
    expect(decodeRaftInfo(null)).toEqual([]);
    expect(encodeRaftInfo([1, 2])).toBe("0x01000200");
    expect(() => decodeRaftInfo("0x010")).toThrow();
  });

  test("INFO1 >> 16 is the fault domain", () => {
    expect([65536, 131072, 196608, null, 0].map(faultDomainOfInfo1)).toEqual([1, 2, 3, null, null]);
  });

  test("the seed's catalog parses into the typed model", () => {
    const cat = parseCatalog(OUTPUT);
    expect(cat.instances).toHaveLength(4);
    expect(cat.instances[0]).toEqual({
      raftId: 0, instId: 4096, name: "MP", mode: "MP", apPort: 6001, port: 5237, ipInternal: "223.254.30.136", ipExternal: "223.254.30.136",
      sysMode: "NORMAL", sysStatus: 6, status: 1, description: "MP instance", faultDomainId: 1,
    });
    expect(cat.instances[2].description).toBe("BP | instance, with a bar");
    expect(cat.instances[3]).toMatchObject({ faultDomainId: null, description: "" });
    expect(cat.bpGroups).toEqual([{ id: 1, name: "BG_1", description: "bp group1", raftIds: [1, 2] }]);
    expect(cat.rafts.map((r) => [r.id, r.name, r.mode])).toEqual([[0, "MP_RAFT", "MP"], [1, "RAFT_1", "BP"], [2, "RAFT_2", "BP"], [3, "RAFT_SP1", "SP"]]);
    const v = new CatalogView(cat);
    expect(v.leaderOf(1)?.name).toBe("BP12");
    expect(v.instance("bp11")?.instId).toBe(4097);
    expect(v.faultDomainById(2)?.name).toBe("FDOM_2");
  });

  test("errors and cut-short output are refused, never read as an empty catalog", () => {
    expect(() => parseCatalog(OUTPUT + "[-70028]:创建SOCKET连接失败\n")).toThrow(CatalogReadError);
    expect(() => parseCatalog(OUTPUT.slice(0, OUTPUT.indexOf("##DPC:DPC_FAULT_DOMAIN")))).toThrow(/end marker/);
  });
});
