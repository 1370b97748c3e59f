// openGauss resources (DisasterRecovery) are not built yet: see the README's status table.
export {};
