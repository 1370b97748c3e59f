/**
 * DpcCluster registers exactly the resource graph `clusterGraph` returns (the one the planner
 * tests and the bench use): the same resources, of the same kinds, each waiting for the same
 * others, with the same inputs. Recorded from the registration requests the Pulumi runtime sends
 * (its mock monitor), for the bench's two topologies.
 */
import * as pulumi from "@pulumi/pulumi";
import { getMonitor } from "@pulumi/pulumi/runtime/settings";
import { topology, type Scenario } from "../../../bench/topologies";
import { clusterGraph } from "../../../provider/dm/topology";
import { dm } from "../../../sdk";

type Req = { getName(): string; getType(): string; getDependenciesList(): string[] };
interface Registered {
  readonly type: string;
  readonly dependsOn: string[];
  readonly inputs: Record<string, unknown>;
}

/** Registrations by resource name, once `count` have arrived (bounded wait). */
async function registrations(build: () => void, count: number): Promise<Map<string, Registered>> {
  const inputs = new Map<string, Record<string, unknown>>();
  pulumi.runtime.setMocks(
    {
      newResource: (a) => {
        inputs.set(a.name, a.inputs as Record<string, unknown>);
        return { id: `${a.name}-id`, state: a.inputs };
      },
      call: () => ({}),
    },
    "p",
    "s",
    false,
  );
  const monitor = getMonitor() as unknown as { registerResource(req: Req, cb: unknown): Promise<void> };
  const seen = new Map<string, Omit<Registered, "inputs">>();
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    if (!req.getType().includes(":dynamic")) return original(req, cb); // the component itself
    seen.set(req.getName(), { type: req.getType(), dependsOn: req.getDependenciesList().map((urn) => urn.split("::").pop()!).sort() });
    return original(req, cb);
  };
  build();
  const deadline = Date.now() + 10_000;
  const done = () => [...seen.keys()].filter((n) => inputs.has(n)).length;
  while (done() < count) {
    if (Date.now() > deadline) throw new Error(`only ${done()} of ${count} resources registered`);
    await new Promise((r) => setImmediate(r));
  }
  return new Map([...seen].map(([n, s]) => [n, { ...s, inputs: inputs.get(n)! }]));
}

const hosts = (n: number) => Array.from({ length: n }, (_, i) => ({ ip: `10.0.0.${i + 1}`, connection: { host: `10.0.0.${i + 1}`, user: "dmdba" }, dataRoot: `/dm${i + 1}` }));

/** Plain JSON as the mock monitor hands inputs back: undefined fields left out. */
const plainJson = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;

/** Pulumi's marker of a secret value in the inputs a monitor receives. */
const SIG = "4dabf18193072939515e22adb298388d";
const SECRET = "1b47061264138c4ac30d75fd1eb44270";
const isSecret = (v: unknown): v is { value: unknown } => !!v && typeof v === "object" && (v as Record<string, unknown>)[SIG] === SECRET;
/** The inputs with each secret replaced by its value, and the names of the top-level inputs that were secret. */
function unwrap(inputs: Record<string, unknown>): { plain: Record<string, unknown>; secret: string[] } {
  const open = (v: unknown): unknown => (isSecret(v) ? open(v.value) : Array.isArray(v) ? v.map(open) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, open(x)])) : v);
  return { plain: open(inputs) as Record<string, unknown>, secret: Object.keys(inputs).filter((k) => isSecret(inputs[k])).sort() };
}

test.each<[Scenario, number]>([
  ["7.2", 4],
  ["64", 8],
])("bench topology %s: the registered resources are clusterGraph's nodes", async (scenario, hostCount) => {
  const t = { sysdbaPassword: "Dameng_123456", ...topology(scenario, hosts(hostCount)) };
  const graph = clusterGraph(t);
  const got = await registrations(() => new dm.DpcCluster("c", t), graph.length);

  const kindOf = (type: string) => type.split(":").pop();
  expect([...got.keys()].sort()).toEqual(graph.map((n) => `c-${n.name}`).sort());
  for (const node of graph) {
    const r = got.get(`c-${node.name}`)!;
    expect({ name: node.name, kind: kindOf(r.type), dependsOn: r.dependsOn }).toEqual({
      name: node.name,
      kind: node.kind,
      dependsOn: node.dependsOn.map((d) => `c-${d.name}`).sort(),
    });
    const { __provider: _p, ...inputs } = r.inputs;
    const { plain, secret } = unwrap(inputs);
    expect({ name: node.name, inputs: plain }).toEqual({ name: node.name, inputs: plainJson(node.args) });
    // The password and every input that carries a connection reach the engine as secrets.
    const mustBeSecret = ["sysdbaPassword", "connection", "members", "mp"].filter((k) => k in inputs).sort();
    expect({ name: node.name, secret: secret.filter((k) => mustBeSecret.includes(k)) }).toEqual({ name: node.name, secret: mustBeSecret });
  }
  // Creation order: every node comes after the nodes it depends on.
  const position = new Map(graph.map((n, i) => [`${n.kind}/${n.name}`, i]));
  for (const [i, n] of graph.entries()) for (const d of n.dependsOn) expect(position.get(`${d.kind}/${d.name}`)).toBeLessThan(i);
});
