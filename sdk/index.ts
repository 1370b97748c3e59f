export * as dm from "./dm";
export * as oceanbase from "./oceanbase";
export * as opengauss from "./opengauss";
export type { Connection, ProxyConnection } from "./types";
