import * as grpc from "@grpc/grpc-js";
import * as engrpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engproto from "@pulumi/pulumi/proto/engine_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { EngineLog, engineAddressFrom } from "../../../provider/core/engine-log";
import { RunLog, formatDuration, type LogLevel } from "../../../provider/core/log";

describe("engineAddressFrom", () => {
  it("takes the last host:port argument, as the Go engine appends its address after any flags", () => {
    expect(engineAddressFrom(["127.0.0.1:40123"])).toBe("127.0.0.1:40123");
    expect(engineAddressFrom(["--logtostderr", "-v=9", "--tracing", "file:/tmp/t", "127.0.0.1:40123"])).toBe("127.0.0.1:40123");
    expect(engineAddressFrom(["[::1]:5000"])).toBe("[::1]:5000");
    expect(engineAddressFrom([])).toBeUndefined();
    expect(engineAddressFrom(["test/unit/core/engine-log.test.ts", "--runInBand"])).toBeUndefined();
  });
});

describe("RunLog levels", () => {
  it("puts phases, outcomes and drift at info and plan and step lines at debug", () => {
    const got: [LogLevel, string][] = [];
    const log = new RunLog("dm:RaftGroup/RAFT_1 create a1b2c3", (line, level) => got.push([level, line]));
    log.phase(2, 4, "back up BP11", 1);
    log.phase(1, 3, "restore replicas of RAFT_1", 2, 2);
    log.step("host1", "dmrman", "backup BP11", { ok: true, ms: 1200 });
    log.debug("plan: phase 1/1: start RAFT_1");
    log.info("in sync");
    expect(got).toEqual([
      ["info", "[dbcluster] dm:RaftGroup/RAFT_1 create a1b2c3 phase 2/4 back up BP11: 1 host"],
      ["info", "[dbcluster] dm:RaftGroup/RAFT_1 create a1b2c3 round 2 phase 1/3 restore replicas of RAFT_1: 2 hosts"],
      ["debug", "[dbcluster] dm:RaftGroup/RAFT_1 create a1b2c3 host1 dmrman backup BP11 ... ok 1200ms"],
      ["debug", "[dbcluster] dm:RaftGroup/RAFT_1 create a1b2c3 plan: phase 1/1: start RAFT_1"],
      ["info", "[dbcluster] dm:RaftGroup/RAFT_1 create a1b2c3 in sync"],
    ]);
  });

  it("formats durations for reading", () => {
    expect([formatDuration(12), formatDuration(3456), formatDuration(125_000)]).toEqual(["12ms", "3.5s", "2m05s"]);
  });
});

describe("EngineLog", () => {
  let server: grpc.Server;
  let address: string;
  const received: { severity: number; message: string; urn: string }[] = [];

  beforeAll(async () => {
    server = new grpc.Server();
    server.addService(engrpc.EngineService, {
      log: (call: grpc.ServerUnaryCall<engproto.LogRequest, Empty>, cb: grpc.sendUnaryData<Empty>) => {
        received.push({ severity: call.request.getSeverity(), message: call.request.getMessage(), urn: call.request.getUrn() });
        cb(null, new Empty());
      },
    } as unknown as grpc.UntypedServiceImplementation);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );
    address = `127.0.0.1:${port}`;
  });

  afterAll(() => server.forceShutdown());

  it("delivers every line to the engine's Log service in order, with its severity", async () => {
    const log = new EngineLog(address);
    const levels: LogLevel[] = ["info", "debug", "warning", "error", "info"];
    levels.forEach((l, i) => log.write(l, `line ${i}`));
    await log.flush();
    const S = engproto.LogSeverity;
    expect(received).toEqual([
      { severity: S.INFO, message: "line 0", urn: "" },
      { severity: S.DEBUG, message: "line 1", urn: "" },
      { severity: S.WARNING, message: "line 2", urn: "" },
      { severity: S.ERROR, message: "line 3", urn: "" },
      { severity: S.INFO, message: "line 4", urn: "" },
    ]);
  });

  it("falls back to stderr when the engine does not answer, dropping debug lines", async () => {
    const written: string[] = [];
    const spy = jest.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      // A port nobody listens on: the first call fails, that line and the later ones go to stderr.
      const log = new EngineLog("127.0.0.1:1");
      log.write("info", "phase 1/1 start RAFT_1: 1 host");
      log.write("debug", "host3 start dmserver ... ok 5ms");
      log.write("error", "it broke");
      await log.flush();
    } finally {
      spy.mockRestore();
    }
    expect(written).toEqual(["phase 1/1 start RAFT_1: 1 host\n", "it broke\n"]);
  });
});
