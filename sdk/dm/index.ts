export * from "./instance";
export * from "./raft-group";
export * from "./bp-group";
export * from "./fault-domain";
export * from "./dpc-cluster";
