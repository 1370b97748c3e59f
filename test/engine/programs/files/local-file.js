// A dynamic resource for the engine tests: a file on the local disk. Every provider call appends a
// line to the trace file named by ENGINE_TEST_TRACE, so tests can see which calls the engine made
// and in what order.
const pulumi = require("@pulumi/pulumi");

const provider = {
  async check(olds, news) {
    trace("check", news, { upstream: news.upstream });
    const failures = [];
    if (typeof news.path !== "string") failures.push({ property: "path", reason: "path must be a string" });
    return { inputs: news, failures };
  },

  async diff(id, olds, news) {
    trace("diff", news);
    const replaces = olds.path !== news.path ? ["path"] : [];
    const inputKeys = Object.keys(news).filter((k) => k !== "__provider");
    const changes = inputKeys.some((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
    return { changes, replaces };
  },

  async create(inputs) {
    // Resolving ssh2 from inside the plugin proves the program's node_modules are reachable there.
    const ssh2 = require("ssh2");
    trace("create-start", inputs);
    await new Promise((r) => setTimeout(r, inputs.delayMs || 0));
    const outs = write(inputs);
    trace("create-end", inputs);
    if (inputs.failInit) {
      const err = new Error(`${inputs.path}: written, but its post-write check failed`);
      err.id = inputs.path;
      // As the real plugin attaches __provider only to successful answers, a provider whose
      // half-created object must stay readable (refresh, destroy) passes it on itself.
      err.properties = { ...outs, __provider: inputs.__provider };
      err.reasons = ["post-write check failed"];
      throw err;
    }
    return { id: inputs.path, outs: { ...outs, ssh2: typeof ssh2.Client } };
  },

  async read(id, props) {
    trace("read", props);
    const fs = require("fs");
    if (!fs.existsSync(id)) return { id: "", props: {} };
    const content = fs.readFileSync(id, "utf8");
    return { id, props: { ...props, content, digest: digest(content) } };
  },

  async update(id, olds, news) {
    trace("update", news);
    const outs = write(news);
    return { outs: { ...outs, ssh2: typeof require("ssh2").Client } };
  },

  async delete(id, props) {
    trace("delete", props);
    require("fs").rmSync(id, { force: true });
  },
};

function write(inputs) {
  const fs = require("fs");
  fs.writeFileSync(inputs.path, inputs.content);
  const outs = { ...inputs, digest: digest(inputs.content) };
  delete outs.__provider;
  return outs;
}

function digest(content) {
  return require("crypto").createHash("sha256").update(content).digest("hex").slice(0, 16);
}

function trace(op, props, extra) {
  const file = process.env.ENGINE_TEST_TRACE;
  if (!file) return;
  const line = { op, name: props && props.name, t: Date.now(), pid: process.pid, ...extra };
  require("fs").appendFileSync(file, JSON.stringify(line) + "\n");
}

class LocalFile extends pulumi.dynamic.Resource {
  constructor(name, args, opts) {
    super(provider, name, { name, digest: undefined, ssh2: undefined, ...args }, opts, "files", "LocalFile");
  }
}

module.exports = { LocalFile };
