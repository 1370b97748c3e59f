import { editIni, iniDiff, parseDmarchIni, parseIni, parseMpIni, renderDmarchIni, renderIni, renderMpIni } from "../../../provider/dm/ini";
import { seedBp11Dmarch } from "./fixtures/seed";

describe("ini", () => {
  test("parses keys case-insensitively, values without comments, sections", () => {
    const ini = parseIni("# top\nmp_host = 1.2.3.4  # the MP\n  Port_Num=5236\n[mp1]\nMP_PORT = 10622\n");
    expect(ini).toEqual({ global: { MP_HOST: "1.2.3.4", PORT_NUM: "5236" }, sections: { MP1: { MP_PORT: "10622" } } });
  });

  test("edits keys in place, keeping comments, order and unrelated lines byte for byte", () => {
    const text = "#DaMeng Database Server Configuration file\nCTL_PATH = /d/dm.ctl   #ctl file path\n\tPORT_NUM    = 5236   #Port number on which the database server will listen\nMAX_SESSIONS = 100\nport_num = 1\n";
    const out = editIni(text, { PORT_NUM: 5237, ARCH_INI: 1, MAX_SESSIONS: null });
    expect(out).toBe("#DaMeng Database Server Configuration file\nCTL_PATH = /d/dm.ctl   #ctl file path\n\tPORT_NUM    = 5237   #Port number on which the database server will listen\nARCH_INI = 1\n");
    expect(editIni(out, { PORT_NUM: 5237 })).toBe(out);
    expect(() => editIni(text, { ARCH_INI: "1\nEVIL = 1" })).toThrow();
    expect(() => editIni(text, { "A B": 1 })).toThrow();
  });

  test("iniDiff lists only differing keys", () => {
    expect(iniDiff(parseIni("A = 1\nB = 2\n"), { a: 1, B: 3, C: "x" })).toEqual({ B: 3, C: "x" });
    expect(iniDiff(null, { A: 1 })).toEqual({ A: 1 });
  });

  test("mp.ini: one MP as keys (seed 7.1.2), several as [MPn] (seed 7.3.2); parsed back", () => {
    expect(renderMpIni([{ host: "223.254.30.136", port: 9000 }])).toBe("mp_host = 223.254.30.136\nmp_port = 9000\n");
    const three = [10622, 10623, 10624].map((port) => ({ host: "192.168.1.118", port }));
    const text = renderMpIni(three);
    expect(parseIni(text)).toEqual(
      parseIni("# mp_port端口号必须与MP、BP和SP上的ap_port_num端口号不冲突\n[MP1]\nmp_host = 192.168.1.118\nmp_port = 10622\n\n[MP2]\nmp_host = 192.168.1.118\nmp_port = 10623\n\n[MP3]\nmp_host = 192.168.1.118\nmp_port = 10624\n"),
    );
    expect(parseMpIni(text)).toEqual(three);
    expect(parseMpIni("mp_host = 223.254.30.136\nmp_port = 9000      #与MP、BP和SP上的ap_port_num不冲突的端口号\n")).toEqual([{ host: "223.254.30.136", port: 9000 }]);
  });

  test("dmarch.ini: LOCAL only for the first start, full RAFT config per member, learner flag", () => {
    const local = { dest: "/dpc_data_mac/bp11/DAMENG/arch", fileSizeMb: 128, spaceLimitMb: 0 };
    expect(renderDmarchIni(local)).toBe("[ARCHIVE_LOCAL1]\nARCH_TYPE = LOCAL\nARCH_DEST = /dpc_data_mac/bp11/DAMENG/arch\nARCH_FILE_SIZE = 128\nARCH_SPACE_LIMIT = 0\n");
    const raft = { selfId: 1, voteInterval: 1500, xmalHbInterval: 5, raftHbInterval: 150, peers: [{ name: "BP12", id: 2 }, { name: "BP13", id: 3 }] };
    expect(parseIni(renderDmarchIni(local, raft))).toEqual(parseIni(seedBp11Dmarch));
    const learner = parseDmarchIni(renderDmarchIni(local, { ...raft, learner: true }));
    expect(learner).toEqual({ selfId: 1, learner: true, peers: new Map([["BP12", 2], ["BP13", 3]]), hasLocal: true });
    expect(() => renderIni([], [{ name: "BAD]", entries: [] }])).toThrow();
  });
});
