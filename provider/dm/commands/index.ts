/**
 * Shell command text for DM's tools on a host, built only with core's `sh` template. Secrets
 * never appear here: they travel on stdin (dminit's control file, disql's login line).
 */
export * from "./layout";
export * from "./dminit";
// pidsOf and POLL_SECONDS stay inside: shell fragments for the other command modules.
export { dmserverInvocation, serverDpcMode, startCommand, stopCommand, waitStoppedCommand, type StartParams, type StopParams } from "./process";
export * from "./rman";
export * from "./disql";
export * from "./host-state";
export * from "./ini-edit";
