/**
 * One connection object serves @pulumi/command and this package: the SDK's `Connection` is
 * command's `remote.ConnectionArgs` (checked by the compiler, both ways), and the provider's
 * run-time schema accepts every field command defines.
 */
import type { types } from "@pulumi/command";
import type { Connection, ProxyConnection } from "../../../sdk/types";
import { parseConnection } from "../../../provider/core/connection";

type CommandConnection = types.input.remote.ConnectionArgs;

/** Every field of command's ConnectionArgs, set; `satisfies` fails to compile if one is missing or unknown. */
const full = {
  host: "10.0.0.11",
  port: 2222,
  user: "dmdba",
  password: "pw",
  privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----",
  privateKeyPassword: "kp",
  agentSocketPath: "/run/agent.sock",
  dialErrorLimit: 3,
  perDialTimeout: 5,
  hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOr/HGzzBKcGaaNxoB7kJe4GzoE60053kORV1ppMPnsq",
  proxy: { host: "10.0.0.1", port: 22, user: "jump", privateKey: "k", hostKey: "ssh-ed25519 AAAA", dialErrorLimit: 1, perDialTimeout: 2, password: "p", privateKeyPassword: "q", agentSocketPath: "/a" },
} satisfies Required<{ [K in keyof CommandConnection]: unknown }>;

test("a command connection is this package's Connection and back", () => {
  const forCommand: CommandConnection = full;
  const ours: Connection = forCommand;
  const back: CommandConnection = ours;
  const jump: ProxyConnection = full.proxy;
  expect([back.host, jump.host]).toEqual(["10.0.0.11", "10.0.0.1"]);
});

test("the provider's schema accepts every field of command's ConnectionArgs", () => {
  const parsed = parseConnection(full);
  expect(parsed).toMatchObject({ host: "10.0.0.11", port: 2222, user: "dmdba", dialErrorLimit: 3, perDialTimeout: 5, proxy: { host: "10.0.0.1", user: "jump" } });
});
