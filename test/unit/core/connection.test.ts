import { connectionKey, connectionSecrets, endpointKey, parseConnection } from "../../../provider/core/connection";

describe("connection schema", () => {
  it("applies @pulumi/command's defaults", () => {
    const c = parseConnection({ host: "10.0.0.1" });
    expect(c).toEqual({ host: "10.0.0.1", port: 22, user: "root", dialErrorLimit: 10, perDialTimeout: 15 });
  });

  it("applies them to the jump host too and keys the pool by route", () => {
    const c = parseConnection({ host: "db1", user: "dmdba", port: 2222, proxy: { host: "bastion" } });
    expect(c.proxy).toEqual({ host: "bastion", port: 22, user: "root", dialErrorLimit: 10, perDialTimeout: 15 });
    expect(endpointKey(c)).toBe("dmdba@db1:2222 via root@bastion:22");
    expect(endpointKey(parseConnection({ host: "db1", user: "dmdba", port: 2222 }))).toBe("dmdba@db1:2222");
  });

  it("keys the pool by identity: user, host, port, route, credential and pinned key of both ends", () => {
    const base = { host: "db1", user: "dmdba", privateKey: "KEY-A", proxy: { host: "bastion", password: "p1" } };
    const key = (c: object) => connectionKey(parseConnection(c as never));
    expect(key(base)).toBe(key({ ...base }));
    expect(key(base)).toMatch(/^dmdba@db1:22 via root@bastion:22 #[0-9a-f]{16}$/);
    const variants = [
      { ...base, user: "root" },
      { ...base, port: 2222 },
      { ...base, host: "db2" },
      { ...base, privateKey: "KEY-B" },
      { ...base, privateKeyPassword: "pp" },
      { ...base, password: "pw" },
      { ...base, agentSocketPath: "/run/agent" },
      { ...base, hostKey: "ssh-ed25519 AAAA" },
      { ...base, proxy: { host: "bastion", password: "p2" } },
      { ...base, proxy: { host: "bastion", password: "p1", hostKey: "ssh-ed25519 AAAA" } },
      { ...base, proxy: { host: "bastion2", password: "p1" } },
      { host: "db1", user: "dmdba", privateKey: "KEY-A" },
    ];
    const keys = new Set([key(base), ...variants.map(key)]);
    expect(keys.size).toBe(variants.length + 1);
    // The key is printable: no credential in it.
    for (const k of keys) expect(k).not.toMatch(/KEY-|p1|p2|pw/);
  });

  it("reports every problem at once and refuses unknown fields", () => {
    const r = (() => {
      try {
        parseConnection({ host: "", port: 70000, dialErrorLimit: -2, pasword: "x" } as never);
        return undefined;
      } catch (e) {
        return (e as { issues: { path: unknown[] }[] }).issues;
      }
    })();
    expect(r).toBeDefined();
    const paths = r!.map((i) => i.path.join(".") || "(root)");
    expect(paths).toEqual(expect.arrayContaining(["host", "port", "dialErrorLimit"]));
    expect(r!.length).toBeGreaterThanOrEqual(4);
  });

  it("lists every secret of a connection for the redactor, the jump host's passphrase included", () => {
    const c = { host: "db1", password: "pw", privateKey: "KEY", privateKeyPassword: "kp", proxy: { host: "b", password: "ppw", privateKey: "PKEY", privateKeyPassword: "pkp" } };
    expect(connectionSecrets(c).sort()).toEqual(["KEY", "PKEY", "kp", "pkp", "ppw", "pw"]);
  });
});
