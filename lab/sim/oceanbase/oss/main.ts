/**
 * The lab's OSS stand-in process: `node main.js --dir LABDIR --address ADDR`. Reads its
 * credentials from `<LABDIR>/oss/credentials.json` (0600) at every request, serves on an ephemeral port of ADDR,
 * writes `<LABDIR>/oss/oss.pid` and `<LABDIR>/oss/ready.json` ({port}) once listening.
 */
import * as fs from "fs";
import * as path from "path";
import { ossServer, type OssCredentials } from "./server";

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0 || i + 1 >= process.argv.length) throw new Error(`oss: --${name} is required`);
  return process.argv[i + 1];
};
const dir = path.join(arg("dir"), "oss");
const server = ossServer({ dataDir: path.join(dir, "data"), credentials: () => JSON.parse(fs.readFileSync(path.join(dir, "credentials.json"), "utf8")) as OssCredentials });
server.listen(0, arg("address"), () => {
  const port = (server.address() as { port: number }).port;
  fs.writeFileSync(path.join(dir, "oss.pid"), `${process.pid}\n`);
  fs.writeFileSync(path.join(dir, "ready.json"), JSON.stringify({ port }) + "\n");
  process.stdout.write(`oss stand-in listening on ${arg("address")}:${port}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
