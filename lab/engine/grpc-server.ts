/** The ResourceMonitor and Engine gRPC services the program talks to, on one loopback port.
 *  They only translate messages; the decisions live in the Deployment behind `MonitorHandlers`. */
import * as grpc from "@grpc/grpc-js";
import * as resrpc from "@pulumi/pulumi/proto/resource_grpc_pb";
import * as resproto from "@pulumi/pulumi/proto/resource_pb";
import * as engrpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engproto from "@pulumi/pulumi/proto/engine_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { LogEvent } from "./printer";
import { PropertyMap } from "./values";

/** Only `secrets`: advertising more would change the value encoding the plugin path relies on. */
const SUPPORTED_FEATURES = new Set(["secrets"]);

export interface RegisterResult {
  urn: string;
  id: string;
  outputs: PropertyMap;
  propertyDependencies: Record<string, string[]>;
}

export interface MonitorHandlers {
  registerResource(req: resproto.RegisterResourceRequest): Promise<RegisterResult>;
  registerResourceOutputs(urn: string, outputs: PropertyMap): Promise<void>;
  log(e: LogEvent): void;
}

const SEVERITY: Record<number, LogEvent["severity"]> = {
  [engproto.LogSeverity.DEBUG]: "debug",
  [engproto.LogSeverity.INFO]: "info",
  [engproto.LogSeverity.WARNING]: "warning",
  [engproto.LogSeverity.ERROR]: "error",
};

function unimplemented(what: string) {
  return (_call: unknown, cb: grpc.sendUnaryData<never>) =>
    cb({ code: grpc.status.UNIMPLEMENTED, details: `${what} is not implemented by the lab engine` }, null);
}

function fail(cb: grpc.sendUnaryData<never>, e: unknown): void {
  cb({ code: grpc.status.UNKNOWN, details: e instanceof Error ? e.message : String(e) }, null);
}

export class EngineServer {
  private rootUrn = "";
  private constructor(
    private readonly server: grpc.Server,
    readonly address: string,
  ) {}

  static async start(h: MonitorHandlers): Promise<EngineServer> {
    const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
    let self: EngineServer | undefined;

    const monitor: Partial<resrpc.IResourceMonitorServer> = {
      getDeploymentInfo: unimplemented("GetDeploymentInfo"),
      supportsFeature: (call, cb) => {
        cb(null, new resproto.SupportsFeatureResponse().setHassupport(SUPPORTED_FEATURES.has(call.request.getId())));
      },
      registerResource: (call, cb) => {
        h.registerResource(call.request).then(
          (r) => {
            const res = new resproto.RegisterResourceResponse();
            res.setUrn(r.urn).setId(r.id).setObject(Struct.fromJavaScript(r.outputs as Record<string, never>));
            const deps = res.getPropertydependenciesMap();
            for (const [k, urns] of Object.entries(r.propertyDependencies)) {
              deps.set(k, new resproto.RegisterResourceResponse.PropertyDependencies().setUrnsList(urns));
            }
            res.setResult(resproto.Result.SUCCESS);
            cb(null, res);
          },
          // As the Go engine: a failed step shuts the monitor down for the program, which then stops
          // quietly; the step's own error has already been reported with its URN.
          (e) => cb({ code: grpc.status.UNAVAILABLE, details: `resource monitor shut down: ${e instanceof Error ? e.message : String(e)}` }, null),
        );
      },
      registerResourceOutputs: (call, cb) => {
        const outs = (call.request.getOutputs()?.toJavaScript() ?? {}) as PropertyMap;
        h.registerResourceOutputs(call.request.getUrn(), outs).then(
          () => cb(null, new Empty()),
          (e) => fail(cb, e),
        );
      },
      invoke: (call, cb) => fail(cb, new Error(`unknown function ${call.request.getTok()}: the lab engine runs no provider functions`)),
      readResource: (call, cb) => fail(cb, new Error(`reading existing resources (${call.request.getType()}) is not supported by the lab engine`)),
      signalAndWaitForShutdown: (_call, cb) => cb(null, new Empty()),
    };

    const engine: Partial<engrpc.IEngineServer> = {
      log: (call, cb) => {
        const r = call.request;
        h.log({ severity: SEVERITY[r.getSeverity()] ?? "info", message: r.getMessage(), urn: r.getUrn() || undefined, source: "program" });
        cb(null, new Empty());
      },
      getRootResource: (_call, cb) => cb(null, new engproto.GetRootResourceResponse().setUrn(self?.rootUrn ?? "")),
      setRootResource: (call, cb) => {
        if (self) self.rootUrn = call.request.getUrn();
        cb(null, new engproto.SetRootResourceResponse());
      },
    };

    server.addService(resrpc.ResourceMonitorService, monitor as grpc.UntypedServiceImplementation);
    server.addService(engrpc.EngineService, engine as grpc.UntypedServiceImplementation);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    self = new EngineServer(server, `127.0.0.1:${port}`);
    return self;
  }

  root(): string {
    return this.rootUrn;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, 2000);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
