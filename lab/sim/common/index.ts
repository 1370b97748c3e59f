export * from "./env";
export * from "./faults";
export * from "./pidfile";
