import { validatePolicy } from "../../../provider/oceanbase/validate";
import { signOss, objectUrl } from "../../../provider/oceanbase/oss-sign";
import { destUri, maskKeys, sameDest, withoutKeys } from "../../../provider/oceanbase/storage";
import { signature, parseAuthorization, parseOssDest, displayDest } from "../../../lab/sim/oceanbase/oss/signature";

const conn = { host: "10.0.0.1", user: "admin", privateKey: "KEY" };
const oss = { endpoint: "oss-cn-hangzhou.aliyuncs.com", bucket: "ob-backups", path: "prod/ob1", accessId: "LTAI5tExample", accessKey: "k3y+/With=Signs" };
const policy = (storage: unknown) => ({
  name: "weekly",
  cluster: { connection: conn, password: "S3cret!pw" },
  storage,
  schedule: { period: "week", days: [{ day: 7, mode: "full" }], time: "01:00" },
  job: { connection: conn },
});
const failures = (inputs: unknown) => {
  const v = validatePolicy(inputs);
  return v.ok ? [] : v.failures.map((f) => `${f.path}: ${f.rule} (got ${JSON.stringify(f.value)})`);
};

test("OSS storage is accepted; without endpoint or keys, or with values OceanBase's URI cannot carry, each field is named (the key masked)", () => {
  expect(failures(policy({ name: "oss", oss }))).toEqual([]);
  expect(failures(policy({ name: "oss", oss: { bucket: "ob-backups" } }))).toEqual([
    "storage.oss.endpoint: OSS needs an endpoint (访问域名) (got undefined)",
    "storage.oss.accessId: OSS needs an access id (访问用户) (got undefined)",
    'storage.oss.accessKey: OSS needs an access key (访问秘钥) (got "[secret]")',
  ]);
  expect(failures(policy({ name: "oss", oss: { ...oss, endpoint: "https://x.com/", bucket: "Bad_Bucket", path: "/a?b", accessKey: "a&b" } }))).toEqual([
    'storage.oss.endpoint: an endpoint is host[:port] without a scheme, e.g. oss-cn-hangzhou.aliyuncs.com (got "https://x.com/")',
    "storage.oss.bucket: a bucket name is 3 to 63 lower-case letters, digits and -, starting and ending with a letter or digit (OSS's rule) (got \"Bad_Bucket\")",
    'storage.oss.path: a path in the bucket holds letters, digits, . _ - and /, does not start with / and has no .. (it becomes part of OceanBase\'s backup URI) (got "/a?b")',
    'storage.oss.accessKey: an access key cannot contain & ? blanks, quotes or backslashes (OceanBase reads it from the destination URI) (got "[secret]")',
  ]);
  expect(failures(policy({ name: "both", oss, file: { path: "/nfs" } }))).toEqual(['storage: give either file or oss, not both (got {"name":"both","oss":{"endpoint":"oss-cn-hangzhou.aliyuncs.com","bucket":"ob-backups","path":"prod/ob1","accessId":"LTAI5tExample","accessKey":"[secret]"},"file":{"path":"/nfs"}})']);
});

test("the product's V1 signature is the one the lab's OSS (written separately from OSS's docs) checks", () => {
  const date = new Date("2026-12-01T12:00:00Z");
  for (const [method, body] of [["PUT", "marker text"], ["DELETE", undefined]] as const) {
    const h = signOss(oss, method, "/ob-backups/prod/ob1/x", date, body);
    const auth = parseAuthorization(h.Authorization)!;
    expect(auth.id).toBe(oss.accessId);
    const headers = { date: h.Date, "content-type": h["Content-Type"], "content-md5": h["Content-MD5"] };
    expect(signature(oss.accessKey, { method, headers, resource: "/ob-backups/prod/ob1/x" })).toBe(auth.sig);
    expect(signature("another key", { method, headers, resource: "/ob-backups/prod/ob1/x" })).not.toBe(auth.sig);
  }
  expect(objectUrl("127.0.10.250:9000", "b1b", "a/b c")).toBe("http://127.0.10.250:9000/b1b/a/b%20c");
  expect(objectUrl("oss-cn-hangzhou.aliyuncs.com", "b1b", "a/b")).toBe("http://b1b.oss-cn-hangzhou.aliyuncs.com/a/b");
});

test("destinations: OceanBase's oss:// syntax with the keys; compared and shown without them; a plan masks the key", () => {
  const uri = destUri({ oss }, "/t1/data");
  expect(uri).toBe("oss://ob-backups/prod/ob1/t1/data?host=oss-cn-hangzhou.aliyuncs.com&access_id=LTAI5tExample&access_key=k3y+/With=Signs");
  expect(parseOssDest(uri)).toEqual({ bucket: "ob-backups", prefix: "prod/ob1/t1/data", host: oss.endpoint, accessId: oss.accessId, accessKey: oss.accessKey });
  expect(withoutKeys(uri)).toBe("oss://ob-backups/prod/ob1/t1/data?host=oss-cn-hangzhou.aliyuncs.com");
  expect(sameDest(displayDest(uri), uri)).toBe(true);
  expect(sameDest(displayDest(uri), destUri({ oss: { ...oss, bucket: "other" } }, "/t1/data"))).toBe(false);
  expect(maskKeys(`SET x = 'LOCATION=${uri} PIECE_SWITCH_INTERVAL=1d'`)).toBe("SET x = 'LOCATION=oss://ob-backups/prod/ob1/t1/data?host=oss-cn-hangzhou.aliyuncs.com&access_id=LTAI5tExample&access_key=*** PIECE_SWITCH_INTERVAL=1d'");
  expect(destUri({ file: { path: "/nfs/b" } }, "/t1")).toBe("file:///nfs/b/t1");
});
