/**
 * An instance that said goodbye to the MP is not running, whatever it reports afterwards: a RAFT
 * leader's role changes while its followers leave during `exit all`, and the status report that
 * change sends can reach the MP after the leader's goodbye. The MP kept SYS_STATUS 4 for it, and
 * dropping the stopped instance then failed with [-8424] (found by destroying examples/dpc-bp-raft).
 * The late report is sent here on the simulator's own wire, as the leaving leader sends it.
 */
import * as net from "net";
import { onMessages, send, type Msg } from "../../lab/sim/dm/wire";
import { DmHost, DmLab, query, startDmLab } from "./fixtures/dmlab";
import { MiniCluster } from "./fixtures/dmcluster";

jest.setTimeout(120000);

let lab: DmLab;
let h: DmHost;
let c: MiniCluster;

beforeAll(async () => {
  lab = await startDmLab(1);
  h = lab.hosts[0];
  c = new MiniCluster(h, [{ name: "MP", mode: "MP", port: 5239, ap: 6003 }, { name: "BP1", mode: "BP", port: 5237, ap: 6001, raft: "RAFT_1" }], 9000);
  await c.init();
  await c.startMpAndRegister();
});
afterAll(async () => lab?.stop());

/** A session with the MP on its mp_port; `call` sends one message and waits for its reply. */
function session(): Promise<{ call: (m: Msg) => Promise<Msg>; close: () => void }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: h.addr, port: 9000 });
    const waiting = new Map<number, (m: Msg) => void>();
    let id = 0;
    onMessages(sock, (m) => waiting.get(m.replyTo as number)?.(m));
    sock.once("error", reject);
    sock.once("connect", () =>
      resolve({
        call: (m) => new Promise((res) => (waiting.set(++id, res), send(sock, { ...m, id }))),
        close: () => sock.destroy(),
      }),
    );
  });
}

const status = async () => (await query(h, c.login("MP"), "select NAME, SYS_STATUS from DPC_INSTANCE where NAME = 'BP1'"))[0].SYS_STATUS;

test("a status report after the goodbye leaves the instance not running (SYS_STATUS 6)", async () => {
  const s = await session();
  expect(await s.call({ op: "attach", name: "BP1", mode: "BP" })).toMatchObject({ ok: true });
  await s.call({ op: "status", name: "BP1", sysMode: "NORMAL", sysStatus: 4, status: 1 });
  expect(await status()).toBe("4");
  await s.call({ op: "bye", name: "BP1", status: 1 });
  await s.call({ op: "status", name: "BP1", sysMode: "NORMAL", sysStatus: 4, status: 1 });
  expect(await status()).toBe("6");
  s.close();
  // The connection's end changes nothing either.
  await new Promise((r) => setTimeout(r, 300));
  expect(await status()).toBe("6");
});
