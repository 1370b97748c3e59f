/** The local Pulumi engine's programmatic API; the CLI (cli.ts) is built on it. */
export { up, preview, refresh, destroy, stackOutputs, setConfig, openStack } from "./operations";
export type { RunOptions, RunResult, StackOptions } from "./operations";
export { humanPrinter, jsonPrinter, displayValue } from "./printer";
export type { EngineEvent, EventSink, StepEvent, Summary } from "./printer";
export { stateFile } from "./state-store";
export type { ResourceState, StackState } from "./state-store";
