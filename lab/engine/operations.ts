/** The four commands (up, preview, refresh, destroy) as functions: open the stack, run the steps,
 *  report outputs and a summary. The CLI is a thin shell over these. */
import * as path from "path";
import { RunContext } from "./context";
import { deleteInReverseOrder } from "./deletes";
import { Deployment } from "./deployment";
import { EngineServer } from "./grpc-server";
import { PluginHost } from "./plugin-host";
import { displayValue, EventSink, LogEvent, Summary } from "./printer";
import { runProgram } from "./program-runner";
import { configEnv, loadProject, Project, StackConfig } from "./project";
import { refreshAll } from "./refresh";
import { LazyCrypter, passphraseFromEnv } from "./secrets";
import { stateFile, StackState, StateStore } from "./state-store";
import { ROOT_STACK_TYPE } from "./urn";
import { PropertyMap, Value } from "./values";

export interface StackOptions {
  /** The program directory (Pulumi.yaml). */
  cwd: string;
  stack: string;
  /** Default: <cwd>/.pulumi-state */
  backend?: string;
  /** Environment for the passphrase; default process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface RunOptions extends StackOptions {
  /** Provider operations at once; default 10. */
  parallel?: number;
  /** Pass debug-level Engine.Log messages through (the CLI drops them unless `--debug`). */
  debug?: boolean;
  emit: EventSink;
}

export interface RunResult {
  ok: boolean;
  summary: Summary;
  outputs: Record<string, Value>;
  errors: string[];
}

interface OpenStack {
  project: Project;
  config: StackConfig;
  store: StateStore;
  state: StackState;
  crypter: LazyCrypter;
}

export function openStack(o: StackOptions): OpenStack {
  const project = loadProject(o.cwd);
  const passphrase = passphraseFromEnv(o.env ?? process.env);
  const config = new StackConfig(project, o.stack, passphrase);
  const file = stateFile(o.backend ? path.resolve(o.backend) : path.join(project.dir, ".pulumi-state"), project.name, o.stack);
  // One key for config and state, as Pulumi; a state written under another salt keeps its own.
  const stateSalt = StateStore.peekSalt(file);
  const crypter = stateSalt && stateSalt !== config.salt() ? new LazyCrypter(passphrase, stateSalt) : config.crypter;
  const store = new StateStore(file, () => crypter);
  const state = store.load(project.name, o.stack);
  return { project, config, store, state, crypter };
}

function rootOutputs(state: StackState): PropertyMap {
  return state.resources.find((r) => r.type === ROOT_STACK_TYPE && !r.delete)?.outputs ?? {};
}

function pluginEnv(s: OpenStack): NodeJS.ProcessEnv {
  return { ...process.env, PULUMI_NODEJS_PROJECT: s.project.name, PULUMI_NODEJS_STACK: s.config.stack, PULUMI_NODEJS_ORGANIZATION: "organization" };
}

function context(s: OpenStack, o: RunOptions, preview: boolean, engineAddress: () => string, pluginConfig: Record<string, string>): RunContext {
  return new RunContext({
    requireSecrets: () => s.crypter.get(),
    project: s.project.name,
    stack: o.stack,
    preview,
    emit: o.emit,
    store: preview ? undefined : s.store,
    state: s.state,
    parallel: o.parallel ?? 10,
    startPlugin: () =>
      PluginHost.start({
        programDir: s.project.dir,
        engineAddress: engineAddress(),
        env: pluginEnv(s),
        config: pluginConfig,
        onOutput: (line) => o.emit({ log: { severity: "info", message: line, source: "plugin" } }),
      }),
  });
}

/** Engine.Log messages, from the program or a provider plugin: debug ones only when asked for. */
function logFilter(o: RunOptions): (e: LogEvent) => void {
  return (e) => {
    if (e.severity !== "debug" || o.debug) o.emit({ log: e });
  };
}

/**
 * The engine service without a program (refresh, destroy): the Go CLI runs its host server for
 * every operation, and plugins log through it; nothing may register resources then.
 */
function logOnlyServer(o: RunOptions): Promise<EngineServer> {
  const refuse = () => Promise.reject(new Error("no program runs in this operation"));
  return EngineServer.start({ registerResource: refuse, registerResourceOutputs: refuse, log: logFilter(o) });
}

/** Runs `work` with an engine service for the plugin, stopping the plugin and then the service. */
async function withLogServer(o: RunOptions, s: OpenStack, work: (ctx: RunContext) => Promise<void>): Promise<RunContext> {
  const server = await logOnlyServer(o);
  const ctx = context(s, o, false, () => server.address, {});
  try {
    await work(ctx);
  } finally {
    await ctx.stopPlugin();
    await server.stop();
  }
  return ctx;
}

function finish(ctx: RunContext, s: OpenStack, o: RunOptions, outputs: PropertyMap): RunResult {
  if (!ctx.preview && ctx.errors.length === 0) s.config.persistSaltIfNew();
  o.emit({ outputs: displayValue(outputs, false) as Record<string, Value> });
  o.emit({ summary: ctx.summary });
  return { ok: ctx.errors.length === 0, summary: ctx.summary, outputs, errors: ctx.errors };
}

/** Runs against an opened stack, reporting a failure to open (bad passphrase, missing Pulumi.yaml) as a run error. */
async function guarded(o: RunOptions, f: (s: OpenStack) => Promise<RunResult>): Promise<RunResult> {
  try {
    return await f(openStack(o));
  } catch (e) {
    o.emit({ diag: { severity: "error", message: (e as Error).message } });
    const summary = { create: 0, update: 0, delete: 0, replace: 0, same: 0 };
    o.emit({ summary });
    return { ok: false, summary, outputs: {}, errors: [(e as Error).message] };
  }
}

async function runUpdate(o: RunOptions, preview: boolean): Promise<RunResult> {
  return guarded(o, async (s) => {
    let server: EngineServer | undefined;
    const configValues = s.config.values();
    const plain: Record<string, string> = {};
    for (const [k, v] of configValues) plain[k] = v.value;
    const ctx = context(s, o, preview, () => server!.address, plain);
    const deployment = new Deployment(ctx, logFilter(o));
    server = await EngineServer.start(deployment);
    try {
      const status = await runProgram({
        project: s.project,
        stack: o.stack,
        monitorAddress: server.address,
        engineAddress: server.address,
        dryRun: preview,
        parallel: o.parallel ?? 10,
        env: configEnv(configValues),
        onOutput: (line, stream) => o.emit({ log: { severity: stream === "stderr" ? "warning" : "info", message: line, source: "program" } }),
      });
      await deployment.idle();
      if (status !== 0) ctx.fail(undefined, `the program exited with status ${status}`);
      // A failed run must not delete what the program did not get round to registering.
      else if (ctx.errors.length === 0) await deployment.deleteUnregistered();
    } catch (e) {
      ctx.fail(undefined, (e as Error).message);
    } finally {
      await ctx.stopPlugin();
      await server.stop();
    }
    return finish(ctx, s, o, rootOutputs(s.state));
  });
}

export const up = (o: RunOptions) => runUpdate(o, false);
export const preview = (o: RunOptions) => runUpdate(o, true);

export function refresh(o: RunOptions): Promise<RunResult> {
  return guarded(o, async (s) => {
    const ctx = await withLogServer(o, s, refreshAll);
    return finish(ctx, s, o, rootOutputs(s.state));
  });
}

export function destroy(o: RunOptions): Promise<RunResult> {
  return guarded(o, async (s) => {
    const ctx = await withLogServer(o, s, (c) => deleteInReverseOrder(c, [...s.state.resources]));
    return finish(ctx, s, o, {});
  });
}

/** The stack outputs from the state file, secrets decrypted only when asked to show them. */
export function stackOutputs(o: StackOptions & { showSecrets?: boolean }): Record<string, Value> {
  const s = o.showSecrets ? openStack(o) : openStackWithoutSecrets(o);
  return displayValue(rootOutputs(s.state), o.showSecrets ?? false) as Record<string, Value>;
}

/** Reads the state without decrypting: secrets stay sealed (and print as [secret]). */
function openStackWithoutSecrets(o: StackOptions): { state: StackState } {
  const project = loadProject(o.cwd);
  const file = stateFile(o.backend ? path.resolve(o.backend) : path.join(project.dir, ".pulumi-state"), project.name, o.stack);
  const store = new StateStore(file, () => {
    throw new Error("unreachable: secrets are not decrypted here");
  });
  return { state: store.exists() ? store.loadSealed(project.name, o.stack) : { version: 1, project: project.name, stack: o.stack, resources: [] } };
}

export function setConfig(o: StackOptions & { key: string; value: string; secret: boolean }): void {
  const project = loadProject(o.cwd);
  new StackConfig(project, o.stack, passphraseFromEnv(o.env ?? process.env)).set(o.key, o.value, o.secret);
}
