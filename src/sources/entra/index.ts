// The Entra reader: MSAL sign-in and Graph reads for the planner's snapshot.
export { readTenant } from './reader';
export { tokenInfo } from './token-info';
export type { EntraTokenInfo } from './token-info';
export { readDelta } from './delta';
export type { DeltaRound } from './delta';
export { EntraReadError } from './errors';
export type { EntraReadErrorDetails } from './errors';
export { cloudEndpoints } from './connection';
export type { ResolvedEntraConnection, ResolvedEntraCertificate, CloudEndpoints, DelegatedTokenSource } from './connection';
export type { EntraReadOptions, EntraLog, EntraLogLevel, RetryOptions } from './options';
export { listGroupNames } from './group-names';
export { readGroupTrees } from './group-tree';
