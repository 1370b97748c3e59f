import { Redactor } from "../../../provider/core/redact";
import { quote } from "../../../provider/core/quote/sh";
import { hostileStrings } from "../../fixtures/hostile-strings";

describe("Redactor", () => {
  it("masks every occurrence, the longest secret first", () => {
    const r = new Redactor();
    r.register("abc", "abcdef", undefined, "");
    expect(r.redact("x abcdef y abc z abcdefabc")).toBe("x [secret] y [secret] z [secret][secret]");
  });

  it("masks a secret in its shell-quoted and JSON-escaped forms too", () => {
    const pwd = `Dm'"pa$$\\w`;
    const r = new Redactor();
    r.register(pwd);
    const quoted = `disql SYSDBA/${quote(pwd)}@host`;
    expect(r.redact(quoted)).not.toContain("pa$$");
    expect(r.redact(JSON.stringify({ password: pwd }))).toBe(`{"password":"[secret]"}`);
  });

  it.each(hostileStrings.filter((s) => s.trim().length > 2 && s.length < 1000).map((s) => [s]))(
    "hides %j inside surrounding text",
    (s) => {
      const r = new Redactor();
      r.register(s);
      const out = r.redact(`before ${s} after\nerror: ${s}`);
      expect(out.includes(s)).toBe(false);
      expect(out).toContain("before ");
    },
  );

  it("leaves text without secrets unchanged", () => {
    const r = new Redactor();
    r.register("hunter2");
    expect(r.redact("nothing to hide")).toBe("nothing to hide");
  });
});

describe("redactFields", () => {
  const { redactFields, isSecretField } = jest.requireActual("../../../provider/core/redact") as typeof import("../../../provider/core/redact");
  it("masks secret fields, misspelt ones too, and keeps public ones", () => {
    const v = { host: "h", hostKey: "ssh-ed25519 AAAA", privateKey: "K", privatekey: "K2", pasword: "P", proxy: { password: "Q", user: "u", privateKeyPassword: "R" }, list: [{ sysdbaPassword: "S" }] };
    expect(redactFields(v)).toEqual({
      host: "h",
      hostKey: "ssh-ed25519 AAAA",
      privateKey: "[secret]",
      privatekey: "[secret]",
      pasword: "[secret]",
      proxy: { password: "[secret]", user: "u", privateKeyPassword: "[secret]" },
      list: [{ sysdbaPassword: "[secret]" }],
    });
    expect(isSecretField("user")).toBe(false);
    expect(isSecretField("passwd")).toBe(true);
  });
});
