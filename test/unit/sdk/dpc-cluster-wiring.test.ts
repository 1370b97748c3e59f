/**
 * The order DpcCluster gives Pulumi: which resources each child waits for. Recorded from the
 * registration requests the runtime sends (Pulumi's mock monitor), by resource name.
 */
import * as pulumi from "@pulumi/pulumi";
import { getMonitor } from "@pulumi/pulumi/runtime/settings";
import { dm } from "../../../sdk";

type Req = { getName(): string; getUrn?(): string; getDependenciesList(): string[] };

/** The dependencies of each resource registered by `build`, once every one of `names` has registered (at most 10 s). */
async function dependencies(build: () => void, names: readonly string[]): Promise<Map<string, string[]>> {
  pulumi.runtime.setMocks({ newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs }), call: () => ({}) }, "p", "s", false);
  const monitor = getMonitor() as unknown as { registerResource(req: Req, cb: unknown): Promise<void> };
  const seen = new Map<string, string[]>();
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    seen.set(req.getName(), req.getDependenciesList().map((urn) => urn.split("::").pop()!));
    return original(req, cb);
  };
  build();
  // Registration runs once the resources' inputs resolve: wait for the ones asked about.
  for (const end = Date.now() + 10_000; !names.every((n) => seen.has(n)); ) {
    if (Date.now() > end) throw new Error(`not registered within 10 s: ${names.filter((n) => !seen.has(n)).join(", ")} (seen: ${[...seen.keys()].join(", ")})`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return seen;
}

const conn = { host: "10.0.0.1" };

test("a BP group waits for the MP group even when it holds no RAFT group yet", async () => {
  const deps = await dependencies(() => {
    new dm.DpcCluster("c", {
      sysdbaPassword: "Dameng_123456",
      instances: [{ name: "MP", mode: "MP", connection: conn, ip: "10.0.0.1", path: "/dm/mp", portNum: 5239, apPortNum: 6003 }],
      rafts: [],
      bpGroups: [{ name: "BG_EMPTY", rafts: [] }],
      faultDomains: [{ name: "FD_EMPTY", instances: [] }],
    });
  }, ["c-BG_EMPTY", "c-FD_EMPTY"]);
  expect(deps.get("c-BG_EMPTY")).toEqual(["c-MP_RAFT"]);
  expect(deps.get("c-FD_EMPTY")).toContain("c-MP_RAFT");
});
