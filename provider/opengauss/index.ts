export { disasterRecoveryLogic } from "./handler";
export { DisasterRecoverySchema, type DisasterRecoveryInputs, type DrSpec } from "./schema";
