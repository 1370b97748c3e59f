/**
 * The channel a `pulumi up` user sees: the Pulumi engine's `Engine.Log` service, whose address
 * the engine gives every provider plugin as its last argument (Go engine: `newPlugin` appends
 * the host server's address; `pulumi-resource-pulumi-nodejs` passes it on unread). There each
 * message becomes a diagnostic with its severity: `debug` ones are shown only by
 * `pulumi up --debug`. The plugin's stderr, by contrast, reaches the user as an unlevelled
 * info#err line whatever it says, so it is only the fallback (outside an engine, or when the
 * engine does not answer), and there debug lines are dropped, as `@pulumi/pulumi`'s own `log`
 * does when it cannot deliver.
 */
import * as path from "node:path";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as engrpcTypes from "@pulumi/pulumi/proto/engine_grpc_pb";
import type * as engprotoTypes from "@pulumi/pulumi/proto/engine_pb";

export type LogLevel = "debug" | "info" | "warning" | "error";

/** Bound on one Log call; a slower engine gets the rest of the run on stderr. */
const CALL_DEADLINE_MS = 5000;

/** `127.0.0.1:43121`, `localhost:43121`, `[::1]:43121`. */
const ADDRESS = /^(\d{1,3}(\.\d{1,3}){3}|localhost|\[[0-9a-fA-F:]+\]):\d{1,5}$/;

/** The engine address among a plugin's arguments: the last one that is host:port. */
export function engineAddressFrom(argv: readonly string[]): string | undefined {
  for (let i = argv.length - 1; i >= 0; i--) if (ADDRESS.test(argv[i])) return argv[i];
  return undefined;
}

interface Channel {
  grpc: typeof grpcTypes;
  client: engrpcTypes.EngineClient;
  proto: typeof engprotoTypes;
}

/**
 * The gRPC stubs and grpc-js as `@pulumi/pulumi` itself loads them: a client built by its
 * generated constructor accepts only credentials of that same grpc-js copy.
 */
function openChannel(address: string): Channel {
  const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
  const grpc = require(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] })) as typeof grpcTypes;
  const engrpc = require(path.join(pulumiDir, "proto", "engine_grpc_pb")) as typeof engrpcTypes;
  const proto = require(path.join(pulumiDir, "proto", "engine_pb")) as typeof engprotoTypes;
  return { grpc, client: new engrpc.EngineClient(address, grpc.credentials.createInsecure()), proto };
}

const stderrLine = (level: LogLevel, line: string) => {
  if (level !== "debug") process.stderr.write(line + "\n");
};

/** Delivers whole lines in order to the engine, or to stderr without one. */
export class EngineLog {
  private channel: Channel | undefined;
  private failed = false;
  private last: Promise<void> = Promise.resolve();

  constructor(private readonly address: string | undefined) {}

  write(level: LogLevel, line: string): void {
    if (!this.address || this.failed) return stderrLine(level, line);
    this.last = this.last.then(() => this.send(level, line));
  }

  /** Resolves once every line written so far was delivered (or fell back to stderr). */
  flush(): Promise<void> {
    return this.last;
  }

  private send(level: LogLevel, line: string): Promise<void> {
    if (this.failed) return Promise.resolve(stderrLine(level, line));
    try {
      this.channel ??= openChannel(this.address!);
    } catch {
      this.failed = true;
      return Promise.resolve(stderrLine(level, line));
    }
    const { grpc, client, proto } = this.channel;
    const S = proto.LogSeverity;
    const severity = { debug: S.DEBUG, info: S.INFO, warning: S.WARNING, error: S.ERROR }[level];
    // No URN: a dynamic provider is not told which resource it works for; lines name it themselves.
    const req = new proto.LogRequest().setSeverity(severity).setMessage(line).setUrn("").setEphemeral(false);
    return new Promise((resolve) => {
      client.log(req, new grpc.Metadata(), { deadline: Date.now() + CALL_DEADLINE_MS }, (err) => {
        if (err) {
          this.failed = true;
          client.close();
          stderrLine(level, line);
        }
        resolve();
      });
    });
  }
}

let shared: EngineLog | undefined;

/** The process's log channel: the engine named in this plugin's arguments, if any. */
export function engineLog(): EngineLog {
  shared ??= new EngineLog(engineAddressFrom(process.argv.slice(2)));
  return shared;
}
