/**
 * The lab's OSS stand-in, by hand from a lab host (curl, as a DBA would probe it) and through
 * the lab's OceanBase 4.x: OSS's refusals and error XML for missing, unknown and wrong
 * credentials and an unknown bucket; a destination OSS refuses is refused by the server with
 * OSS's code; backup sets written as objects, and the delete policy's cleanup removing only the
 * expired set's objects.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { signature } from "../../lab/sim/oceanbase/oss/signature";
import type { LabOss } from "../../lab/hosts/lab-json";
import { startObLab, waitFor, type ObLab } from "./helpers";

jest.setTimeout(300_000);

let ob: ObLab;
let oss: LabOss;
let key: string;
const H = "host2";

beforeAll(async () => {
  ob = await startObLab({ version: "4.2.1", tenants: ["t1"] });
  oss = JSON.parse(fs.readFileSync(path.join(ob.lab.dir, "lab.json"), "utf8")).oss;
  key = JSON.parse(fs.readFileSync(oss.credentialsFile, "utf8")).accessKey;
});
afterAll(async () => {
  await ob?.stop();
});

/** curl on a lab host; the headers travel on stdin (-H @-). Returns the body and the status. */
async function curl(method: string, bucket: string, object: string, auth: { id: string; key: string } | null, body = "") {
  const date = new Date().toUTCString();
  const type = body === "" ? "" : "text/plain";
  const headers = [`Date: ${date}`, ...(type ? [`Content-Type: ${type}`] : [])];
  if (auth) headers.push(`Authorization: OSS ${auth.id}:${signature(auth.key, { method, headers: { date, "content-type": type }, resource: `/${bucket}/${object}` })}`);
  const r = await ob.lab.exec(H, `curl -sS -X ${method} -H @- ${body ? `--data-binary '${body}'` : ""} -w '\\n%{http_code}' 'http://${oss.endpoint}/${bucket}/${object}'`, headers.join("\n") + "\n");
  const lines = r.stdout.trimEnd().split("\n");
  return { status: Number(lines.pop()), body: lines.join("\n") };
}
const code = (xml: string) => /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];

test("OSS's refusals: no signature, an unknown access id, a wrong key, an unknown bucket, a missing object", async () => {
  const ok = { id: oss.accessId, key };
  expect(await curl("PUT", oss.bucket, "probe/a", ok, "hello")).toEqual({ status: 200, body: "" });
  expect(await curl("GET", oss.bucket, "probe/a", ok)).toEqual({ status: 200, body: "hello" });
  const anonymous = await curl("GET", oss.bucket, "probe/a", null);
  expect([anonymous.status, code(anonymous.body)]).toEqual([403, "AccessDenied"]);
  const unknown = await curl("GET", oss.bucket, "probe/a", { id: "LTAInobody", key });
  expect([unknown.status, code(unknown.body)]).toEqual([403, "InvalidAccessKeyId"]);
  expect(unknown.body).toContain("<Message>The OSS Access Key Id you provided does not exist in our records.</Message>");
  expect(unknown.body).toContain("<OSSAccessKeyId>LTAInobody</OSSAccessKeyId>");
  const wrong = await curl("PUT", oss.bucket, "probe/b", { id: oss.accessId, key: "not-the-key" }, "x");
  expect([wrong.status, code(wrong.body)]).toEqual([403, "SignatureDoesNotMatch"]);
  expect(wrong.body).toContain("<StringToSign>PUT\n");
  const bucket = await curl("GET", "no-such-bucket", "a", ok);
  expect([bucket.status, code(bucket.body)]).toEqual([404, "NoSuchBucket"]);
  const missing = await curl("GET", oss.bucket, "probe/none", ok);
  expect([missing.status, code(missing.body)]).toEqual([404, "NoSuchKey"]);
  expect(fs.existsSync(path.join(oss.dataDir, oss.bucket, "probe", "b"))).toBe(false);
  expect((await curl("DELETE", oss.bucket, "probe/a", ok)).status).toBe(204);
});

test("4.x on OSS: a destination OSS refuses is refused with OSS's code; sets are objects; the delete policy removes only the expired set's objects", async () => {
  const dest = (sub: string, k = key) => `oss://${oss.bucket}/lab4/${sub}?host=${oss.endpoint}&access_id=${oss.accessId}&access_key=${k}`;
  const refused = await ob.sql(H, `ALTER SYSTEM SET DATA_BACKUP_DEST = '${dest("data", "wrong")}' TENANT = t1`);
  expect(refused.stderr).toMatch(/ERROR 9060 \(HY000\).*SignatureDoesNotMatch: The request signature we calculated does not match/);
  expect((await ob.sql(H, `ALTER SYSTEM SET LOG_ARCHIVE_DEST = 'LOCATION=${dest("arch")}' TENANT = t1; ALTER SYSTEM SET DATA_BACKUP_DEST = '${dest("data")}' TENANT = t1; ALTER SYSTEM ARCHIVELOG TENANT = t1`)).code).toBe(0);
  const root = path.join(oss.dataDir, oss.bucket, "lab4");
  expect(fs.existsSync(path.join(root, "data", "format"))).toBe(true);
  // The views show the destination without its keys.
  expect(await ob.rows(H, "SELECT value FROM oceanbase.CDB_OB_BACKUP_PARAMETER WHERE tenant_id = 1002")).toEqual([[`oss://${oss.bucket}/lab4/data?host=${oss.endpoint}`]]);
  await waitFor("archiving DOING", async () => ((await ob.rows(H, "SELECT status FROM oceanbase.CDB_OB_ARCHIVELOG WHERE tenant_id = 1002"))[0]?.[0] === "DOING" ? true : undefined));
  expect(fs.existsSync(path.join(root, "arch", "piece_d1r1p1", "archive_key"))).toBe(true);
  const full = async (id: number) => {
    expect((await ob.sql(H, "ALTER SYSTEM BACKUP TENANT = t1")).code).toBe(0);
    await waitFor(`set ${id}`, async () => ((await ob.rows(H, `SELECT status FROM oceanbase.CDB_OB_BACKUP_SET_FILES WHERE backup_set_id = ${id}`))[0]?.[0] === "SUCCESS" ? true : undefined));
    expect(fs.readdirSync(path.join(root, "data", `backup_set_${id}_full`)).sort()).toEqual(["backup_set_info", "macro_block_data"]);
  };
  await full(1);
  expect((await ob.sql(H, "ALTER SYSTEM ADD DELETE BACKUP POLICY 'default' RECOVERY_WINDOW '1d' TENANT = t1")).code).toBe(0);
  await ob.clock("1d");
  await full(2);
  await ob.clock("1d");
  // Set 1 is outside the window and set 2 (the newest full outside it) still needed: only set 1 goes.
  expect(await ob.rows(H, "SELECT backup_set_id, file_status FROM oceanbase.CDB_OB_BACKUP_SET_FILES ORDER BY backup_set_id")).toEqual([["1", "DELETED"], ["2", "AVAILABLE"]]);
  expect(fs.existsSync(path.join(root, "data", "backup_set_1_full", "macro_block_data"))).toBe(false);
  expect(fs.existsSync(path.join(root, "data", "backup_set_2_full", "macro_block_data"))).toBe(true);
});
