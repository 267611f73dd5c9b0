// What the extension needs from the engine and its dependencies (ajv, yaml, MSAL), loaded on
// first use only. One module, so that the bundler can emit it as a file of its own that
// activation never reads (see ../lazy.ts).
export { parseMapping } from '../../core/parse';
export { checkLiveNames } from '../../core/semantic';
export { directoryNeeds, haloNeeds } from '../../core/needs';
export { plan } from '../../core/plan';
export { planAndKeep, replan } from '../../core/replan';
export { MappingInvalidError, readMappingFile, validMapping } from '../../engine/mapping-file';
export { connect, httpClientFor } from '../../engine/connections';
export { applyPrepared, applyWith, defaultJournalPath, gatePrepared, planWith, revertWith } from '../../engine/run';
export { accessOf, licencesOf, orphansOf, readForReports } from '../../engine/reports';
export { keyOf, reviewPlan, reviewSheet } from '../../core/reports/review';
export { readJournal } from '../../engine/journal';
export { testConnections } from '../../engine/connection-test';
export { cloudEndpoints, listGroupNames, tokenInfo } from '../../sources/entra';
export { DeviceCodeSignIn } from '../../sources/entra/device-code';
