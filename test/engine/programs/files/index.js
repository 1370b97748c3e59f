// The engine tests' program: the resources to manage come from config `files:resources`, a JSON list
// of {name, path, content, after, dependsOn, secret, component, parent, options...}.
const pulumi = require("@pulumi/pulumi");
const { LocalFile } = require("./local-file");

const config = new pulumi.Config();
const specs = JSON.parse(config.get("resources") || "[]");
const made = {};
const flags = {};

for (const s of specs) {
  const parent = s.parent ? made[s.parent] : undefined;
  if (s.component) {
    made[s.name] = new pulumi.ComponentResource("files:index:Group", s.name, {}, { parent });
    continue;
  }
  let content = s.content;
  if (s.contentFromConfig) content = config.requireSecret(s.contentFromConfig);
  else if (s.secret) content = pulumi.secret(s.content);
  const args = { path: s.path, content, delayMs: s.delayMs, failInit: s.failInit };
  if (s.after) args.upstream = made[s.after].digest;
  const opts = {
    parent,
    dependsOn: (s.dependsOn || []).map((n) => made[n]),
    protect: s.protect,
    retainOnDelete: s.retainOnDelete,
    deleteBeforeReplace: s.deleteBeforeReplace,
    ignoreChanges: s.ignoreChanges,
    additionalSecretOutputs: s.additionalSecretOutputs,
    customTimeouts: s.customTimeouts,
  };
  const f = new LocalFile(s.name, args, opts);
  made[s.name] = f;
  flags[s.name] = Promise.all([pulumi.isSecret(f.content), pulumi.isSecret(f.digest)]).then(([c, d]) => ({ content: c, digest: d }));
}

const files = {};
for (const [name, r] of Object.entries(made)) if (r instanceof LocalFile) files[name] = r.digest;

module.exports = {
  digests: files,
  secretFlags: Promise.all(Object.entries(flags).map(([n, p]) => p.then((v) => [n, v]))).then(Object.fromEntries),
  greeting: config.get("greeting"),
  password: config.getSecret("password"),
};
