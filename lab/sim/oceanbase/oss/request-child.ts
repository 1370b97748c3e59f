/** One OSS request for sync-client.ts: the request as JSON on stdin, the response as JSON on stdout. */
import { sendOss, type OssRequest } from "./request";

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", () => {
  sendOss(JSON.parse(input) as OssRequest).then(
    (r) => process.stdout.write(JSON.stringify(r)),
    (e: Error) => process.stdout.write(JSON.stringify({ status: 0, code: "RequestError", message: e.message, body: "" })),
  );
});
