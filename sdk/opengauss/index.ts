export { DisasterRecovery, type DisasterRecoveryArgs, type DrCluster, type DrNode, type DrSideObserved } from "./disaster-recovery";
