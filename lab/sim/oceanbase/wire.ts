import * as crypto from "crypto";
import * as net from "net";
import * as path from "path";
// mysql2's server side: the same protocol code its client uses, so the stand-in speaks MySQL's
// wire protocol as OceanBase does (clients: obclient/mariadb, mysql2, OCP's JDBC driver).
import * as mysql from "mysql2";
import { ObError } from "./errors";
import type { Reply } from "./sql/session";
import type { Cell } from "./sql/select";

/* eslint-disable @typescript-eslint/no-explicit-any */
// mysql2 exports only its API; the server side needs its packet writers and auth helpers.
const MYSQL2_ROOT = path.dirname(require.resolve("mysql2"));
const Packets = require(path.join(MYSQL2_ROOT, "lib", "packets", "index.js"));
const auth41 = require(path.join(MYSQL2_ROOT, "lib", "auth_41.js"));

// CLIENT_LONG_PASSWORD | FOUND_ROWS | LONG_FLAG | CONNECT_WITH_DB | ODBC | LOCAL_FILES |
// IGNORE_SPACE | PROTOCOL_41 | INTERACTIVE | TRANSACTIONS | SECURE_CONNECTION | MULTI_RESULTS |
// PLUGIN_AUTH. Without SSL (0x800) and COMPRESS (0x20): a client offered SSL insists on it.
const CAPABILITIES = 0x1 | 0x2 | 0x4 | 0x8 | 0x40 | 0x80 | 0x100 | 0x200 | 0x400 | 0x2000 | 0x8000 | 0x20000 | 0x80000;
const UTF8MB4_GENERAL_CI = 45;
const TYPE_LONGLONG = 8;
const TYPE_VAR_STRING = 253;

export interface WireHandlers {
  readonly serverVersion: string;
  /** SHA1(SHA1(password)) of the user, or undefined when the user does not exist. */
  passwordHash(user: string): Buffer | undefined;
  /** `drop`: the session dies before answering (a server lost mid-batch): the client sees the connection lost. */
  execute(sql: string, session: { user: string; connectionId: number }): Reply | { kind: "drop" };
}

let nextConnectionId = 3221225472 + Math.floor(Math.random() * 1000);

function writeError(conn: any, err: ObError): void {
  const message = err.message;
  const length = 13 + Buffer.byteLength(message, "utf8");
  const packet = new Packets.Packet(0, Buffer.allocUnsafe(length), 0, length);
  packet.offset = 4;
  packet.writeInt8(0xff);
  packet.writeInt16(err.code);
  packet.writeString(`#${err.sqlState}`, "utf8");
  packet.writeString(message, "utf8");
  conn.writePacket(packet);
}

function columnDef(name: string, numeric: boolean) {
  return {
    catalog: "def",
    schema: "oceanbase",
    table: "",
    orgTable: "",
    name,
    orgName: name,
    characterSet: numeric ? 63 : UTF8MB4_GENERAL_CI,
    columnLength: numeric ? 20 : 262144,
    columnType: numeric ? TYPE_LONGLONG : TYPE_VAR_STRING,
    flags: 0,
    decimals: 0,
  };
}

function writeRows(conn: any, columns: string[], rows: Cell[][]): void {
  const numeric = columns.map((_, i) => rows.length > 0 && rows.every((r) => r[i] === null || typeof r[i] === "number"));
  conn.writeColumns(columns.map((c, i) => columnDef(c, numeric[i])));
  for (const r of rows) conn.writeTextRow(r.map((v) => (v === null ? null : String(v))));
  conn.writeEof(0, 2);
}

/** `root@sys#cluster` / `root@sys` / `root` → user and tenant. */
export function splitUser(login: string): { user: string; tenant: string } {
  const noCluster = login.split("#")[0];
  const at = noCluster.indexOf("@");
  return at < 0 ? { user: noCluster, tenant: "sys" } : { user: noCluster.slice(0, at), tenant: noCluster.slice(at + 1) };
}

export function serveMysql(h: WireHandlers, host: string, port: number): Promise<net.Server> {
  const server = (mysql as any).createServer() as any;
  server.on("connection", (conn: any) => {
    const connectionId = nextConnectionId++;
    let login = "";
    conn.on("error", () => undefined);
    // mysql2 writes a result set packet by packet; with Nagle on, the packets after the first
    // wait for the client's delayed ACK (~40 ms a statement). OBServer answers at once.
    conn.stream?.setNoDelay?.(true);
    conn.serverHandshake({
      protocolVersion: 10,
      serverVersion: h.serverVersion,
      connectionId,
      statusFlags: 2,
      characterSet: UTF8MB4_GENERAL_CI,
      capabilityFlags: CAPABILITIES,
      authCallback: (params: any, cb: (err: Error | null, mysqlError?: { message: string; code: number }) => void) => {
        login = String(params.user ?? "");
        const hash = h.passwordHash(login);
        const token: Buffer = params.authToken ?? Buffer.alloc(0);
        const ok = hash !== undefined && (token.length === 0 ? hash.equals(auth41.doubleSha1("")) : auth41.verifyToken(params.authPluginData1, params.authPluginData2, token, hash));
        if (ok) {
          cb(null);
          conn.sequenceId = 0;
          return;
        }
        const e = new ObError("accessDenied", splitUser(login).user, (conn.stream?.remoteAddress ?? "").replace(/^::ffff:/, ""), token.length > 0 ? "YES" : "NO");
        // mysql2's own error writer drops the SQL state; write OceanBase's packet, then close.
        writeError(conn, e);
        conn.close();
      },
    });
    const answer = (sql: string) => {
      conn.sequenceId = 1;
      try {
        const r = h.execute(sql, { user: login, connectionId });
        if (r.kind === "drop") {
          conn.stream.destroy();
          return;
        }
        if (r.kind === "ok") conn.writeOk({ affectedRows: r.affectedRows, serverStatus: 2 });
        else writeRows(conn, r.result.columns, r.result.rows);
      } catch (err) {
        writeError(conn, err instanceof ObError ? err : Object.assign(new ObError("notSupportedPlain"), { message: `internal error: ${(err as Error).message}` }));
      }
      conn.sequenceId = 0;
    };
    conn.on("query", answer);
    // mysql2's dispatcher routes statements starting with SET/PREPARE/EXECUTE to these events.
    conn.on("stmt_prepare", (sql: string) => answer(sql));
    conn.on("stmt_execute", (_id: unknown, _f: unknown, _n: unknown, _v: unknown, sql?: string) => answer(sql ?? ""));
    conn.on("init_db", () => {
      conn.sequenceId = 1;
      conn.writeOk();
      conn.sequenceId = 0;
    });
    conn.on("ping", () => {
      conn.sequenceId = 1;
      conn.writeOk();
      conn.sequenceId = 0;
    });
  });
  return new Promise((resolve, reject) => {
    server._server.once("error", reject);
    server.listen(port, host, () => resolve(server._server as net.Server));
  });
}

export function doubleSha1Hex(password: string): string {
  const once = crypto.createHash("sha1").update(password, "utf8").digest();
  return crypto.createHash("sha1").update(once).digest("hex");
}
