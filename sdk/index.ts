export * as dm from "./dm";
export * as oceanbase from "./oceanbase";
export * as opengauss from "./opengauss";
export type { Connection, ProxyConnection } from "./types";
/** The shell quoting this package builds every command with, for commands of your own (`command.remote.Command`). */
export { sh } from "../provider/core/quote/sh";
