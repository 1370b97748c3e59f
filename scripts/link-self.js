// The dynamic provider is loaded in Pulumi's plugin process with `require("pulumi-dbcluster/...")`,
// resolved from the program's directory. Programs inside this repository (examples, test programs)
// find the package through this link, exactly as a user's program finds it in its node_modules.
const fs = require("fs");
const path = require("path");
const root = path.resolve(__dirname, "..");
const link = path.join(root, "node_modules", "pulumi-dbcluster");
try {
  const st = fs.lstatSync(link);
  if (st.isSymbolicLink() && fs.realpathSync(link) === root) process.exit(0);
  fs.rmSync(link, { recursive: true, force: true });
} catch { /* absent */ }
fs.mkdirSync(path.dirname(link), { recursive: true });
fs.symlinkSync("..", link, "dir");
