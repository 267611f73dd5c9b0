// Every id the extension shares with package.json, in one place.

export const Command = {
  validate: 'haloIdentity.validate',
  showDiff: 'haloIdentity.showDiff',
  dryRun: 'haloIdentity.dryRun',
  apply: 'haloIdentity.apply',
  applySelected: 'haloIdentity.applySelected',
  testConnections: 'haloIdentity.testConnections',
  newMapping: 'haloIdentity.newMapping',
  signInEntra: 'haloIdentity.signInEntra',
  setHaloCredentials: 'haloIdentity.setHaloCredentials',
  setDirectorySecrets: 'haloIdentity.setDirectorySecrets',
  refreshSnapshots: 'haloIdentity.refreshSnapshots',
  refreshSnapshotsFull: 'haloIdentity.refreshSnapshotsFull',
  openJournal: 'haloIdentity.openJournal',
  revert: 'haloIdentity.revert',
  showReport: 'haloIdentity.showReport',
  startSimulator: 'haloIdentity.startSimulator',
  stopSimulator: 'haloIdentity.stopSimulator',
} as const;

export type CommandId = (typeof Command)[keyof typeof Command];

export const ContextKey = {
  hasMapping: 'haloIdentity.hasMapping',
  hasJournal: 'haloIdentity.hasJournal',
  simulatorRunning: 'haloIdentity.simulatorRunning',
} as const;

export const LANGUAGE_ID = 'halo-identity';
export const DIFF_VIEW_TYPE = 'haloIdentity.diff';
export const OUTPUT_NAME = 'Halo Identity';
export const CONFIG_SECTION = 'haloIdentity';
/** Where Start Simulator writes its mapping and certificate inside the workspace. */
export const SIMULATOR_FOLDER = 'halo-identity-sim';
