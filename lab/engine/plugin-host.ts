/** The dynamic-provider plugin: one process per run, started as the engine starts it (engine address
 *  as argument, program directory as cwd, port on the first stdout line) and called over gRPC. */
import { ChildProcess, spawn } from "child_process";
import * as grpc from "@grpc/grpc-js";
import * as readline from "readline";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as statusproto from "@pulumi/pulumi/proto/status_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { PropertyMap } from "./values";
import { pulumiPackageDir } from "./program-runner";

const GRPC_OPTIONS = { "grpc.max_receive_message_length": 400 * 1024 * 1024 };

export interface CheckResult {
  inputs: PropertyMap;
  failures: { property: string; reason: string }[];
}

export interface DiffResult {
  changes: "some" | "none" | "unknown";
  replaces: string[];
  deleteBeforeReplace: boolean;
}

/** A create or update that left an object behind: the engine keeps it with its outputs. */
export class InitFailedError extends Error {
  constructor(
    message: string,
    readonly id: string,
    readonly outputs: PropertyMap,
    readonly reasons: string[],
  ) {
    super(message);
  }
}

export interface ResourceRef {
  urn: string;
  type: string;
  name: string;
}

const toStruct = (m: PropertyMap): Struct => Struct.fromJavaScript(m as Record<string, never>);
const fromStruct = (s: Struct | undefined): PropertyMap => (s ? (s.toJavaScript() as PropertyMap) : {});

function call<Req, Res>(
  fn: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown,
  req: Req,
): Promise<Res> {
  return new Promise((resolve, reject) => fn(req, (err, res) => (err ? reject(err) : resolve(res))));
}

/** The dynamic provider packs ErrorResourceInitFailed into grpc-status-details-bin. */
function initFailure(err: grpc.ServiceError): InitFailedError | undefined {
  const raw = err.metadata?.get("grpc-status-details-bin")?.[0];
  if (!raw) return undefined;
  const status = statusproto.Status.deserializeBinary(new Uint8Array(raw as Buffer));
  for (const any of status.getDetailsList()) {
    if (any.getTypeName() !== "pulumirpc.ErrorResourceInitFailed") continue;
    const d = provproto.ErrorResourceInitFailed.deserializeBinary(any.getValue_asU8());
    return new InitFailedError(status.getMessage() || err.details, d.getId(), fromStruct(d.getProperties()), d.getReasonsList());
  }
  return undefined;
}

/** A gRPC error from the plugin carries the provider's own message in `details`. */
function providerError(err: unknown): Error {
  const e = err as grpc.ServiceError;
  if (e && typeof e.code === "number") {
    return initFailure(e) ?? new Error(e.details || e.message);
  }
  return err as Error;
}

export class PluginHost {
  private constructor(
    private readonly proc: ChildProcess,
    private readonly client: provrpc.ResourceProviderClient,
  ) {}

  static async start(opts: {
    programDir: string;
    engineAddress: string;
    env: NodeJS.ProcessEnv;
    config: Record<string, string>;
    onOutput: (line: string, stream: "stdout" | "stderr") => void;
  }): Promise<PluginHost> {
    const entry = `${pulumiPackageDir(opts.programDir)}/cmd/dynamic-provider`;
    const proc = spawn(process.execPath, [entry, opts.engineAddress], {
      cwd: opts.programDir,
      env: opts.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    readline.createInterface({ input: proc.stderr! }).on("line", (l) => opts.onOutput(l, "stderr"));
    const port = await new Promise<number>((resolve, reject) => {
      let first = true;
      readline.createInterface({ input: proc.stdout! }).on("line", (l) => {
        if (first && /^\d+$/.test(l.trim())) {
          first = false;
          resolve(Number(l.trim()));
        } else {
          opts.onOutput(l, "stdout");
        }
      });
      proc.on("error", reject);
      proc.on("exit", (code) => reject(new Error(`dynamic provider plugin exited with status ${code} before listening`)));
    });
    const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), GRPC_OPTIONS);
    const host = new PluginHost(proc, client);
    const req = new provproto.ConfigureRequest();
    req.setArgs(toStruct(opts.config));
    req.setAcceptsecrets(true);
    req.setAcceptresources(false);
    const res = await call<provproto.ConfigureRequest, provproto.ConfigureResponse>(client.configure.bind(client), req);
    if (res.getAcceptsecrets()) {
      throw new Error("dynamic provider unexpectedly accepts secrets; the engine strips them for every call");
    }
    return host;
  }

  async check(r: ResourceRef, olds: PropertyMap, news: PropertyMap): Promise<CheckResult> {
    const req = new provproto.CheckRequest();
    req.setUrn(r.urn).setName(r.name).setType(r.type);
    req.setOlds(toStruct(olds)).setNews(toStruct(news));
    const res = await this.invoke<provproto.CheckRequest, provproto.CheckResponse>(this.client.check, req);
    return {
      inputs: fromStruct(res.getInputs()),
      failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  async diff(r: ResourceRef, id: string, olds: PropertyMap, news: PropertyMap, oldInputs: PropertyMap, ignoreChanges: string[]): Promise<DiffResult> {
    const req = new provproto.DiffRequest();
    req.setUrn(r.urn).setName(r.name).setType(r.type).setId(id);
    req.setOlds(toStruct(olds)).setNews(toStruct(news)).setOldInputs(toStruct(oldInputs));
    req.setIgnorechangesList(ignoreChanges);
    const res = await this.invoke<provproto.DiffRequest, provproto.DiffResponse>(this.client.diff, req);
    const C = provproto.DiffResponse.DiffChanges;
    const changes = res.getChanges() === C.DIFF_SOME ? "some" : res.getChanges() === C.DIFF_NONE ? "none" : "unknown";
    return { changes, replaces: res.getReplacesList(), deleteBeforeReplace: res.getDeletebeforereplace() };
  }

  async create(r: ResourceRef, news: PropertyMap, timeoutSec: number): Promise<{ id: string; outputs: PropertyMap }> {
    const req = new provproto.CreateRequest();
    req.setUrn(r.urn).setName(r.name).setType(r.type).setTimeout(timeoutSec);
    req.setProperties(toStruct(news));
    const res = await this.invoke<provproto.CreateRequest, provproto.CreateResponse>(this.client.create, req);
    return { id: res.getId(), outputs: fromStruct(res.getProperties()) };
  }

  async read(r: ResourceRef, id: string, outputs: PropertyMap, inputs: PropertyMap): Promise<{ id: string; outputs: PropertyMap; inputs?: PropertyMap }> {
    const req = new provproto.ReadRequest();
    req.setUrn(r.urn).setName(r.name).setType(r.type).setId(id);
    req.setProperties(toStruct(outputs)).setInputs(toStruct(inputs));
    const res = await this.invoke<provproto.ReadRequest, provproto.ReadResponse>(this.client.read, req);
    return { id: res.getId(), outputs: fromStruct(res.getProperties()), inputs: res.getInputs() ? fromStruct(res.getInputs()) : undefined };
  }

  async update(r: ResourceRef, id: string, olds: PropertyMap, news: PropertyMap, oldInputs: PropertyMap, ignoreChanges: string[], timeoutSec: number): Promise<PropertyMap> {
    const req = new provproto.UpdateRequest();
    req.setUrn(r.urn).setName(r.name).setType(r.type).setId(id).setTimeout(timeoutSec);
    req.setOlds(toStruct(olds)).setNews(toStruct(news)).setOldInputs(toStruct(oldInputs));
    req.setIgnorechangesList(ignoreChanges);
    const res = await this.invoke<provproto.UpdateRequest, provproto.UpdateResponse>(this.client.update, req);
    return fromStruct(res.getProperties());
  }

  async delete(r: ResourceRef, id: string, outputs: PropertyMap, oldInputs: PropertyMap, timeoutSec: number): Promise<void> {
    const req = new provproto.DeleteRequest();
    req.setUrn(r.urn).setName(r.name).setType(r.type).setId(id).setTimeout(timeoutSec);
    req.setProperties(toStruct(outputs)).setOldInputs(toStruct(oldInputs));
    await this.invoke<provproto.DeleteRequest, unknown>(this.client.delete, req);
  }

  private async invoke<Req, Res>(fn: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown, req: Req): Promise<Res> {
    try {
      return await call(fn.bind(this.client), req);
    } catch (e) {
      throw providerError(e);
    }
  }

  /** Closes the channel and waits for the process, killing it if it lingers. */
  async stop(): Promise<void> {
    this.client.close();
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.proc.once("exit", () => resolve()));
    this.proc.kill("SIGTERM");
    const timer = setTimeout(() => this.proc.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  }
}
