import { connectionKey, parseConnection } from "../../../provider/core/connection";

describe("connection schema", () => {
  it("applies @pulumi/command's defaults", () => {
    const c = parseConnection({ host: "10.0.0.1" });
    expect(c).toEqual({ host: "10.0.0.1", port: 22, user: "root", dialErrorLimit: 10, perDialTimeout: 15 });
  });

  it("applies them to the jump host too and keys the pool by route", () => {
    const c = parseConnection({ host: "db1", user: "dmdba", port: 2222, proxy: { host: "bastion" } });
    expect(c.proxy).toEqual({ host: "bastion", port: 22, user: "root", dialErrorLimit: 10, perDialTimeout: 15 });
    expect(connectionKey(c)).toBe("dmdba@db1:2222 via root@bastion:22");
    expect(connectionKey(parseConnection({ host: "db1", user: "dmdba", port: 2222 }))).toBe("dmdba@db1:2222");
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
});
