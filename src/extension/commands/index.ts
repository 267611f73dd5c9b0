// Registers every command of package.json. Handlers return their outcome (for tests and for
// other extensions); failures are reported to the user, never thrown at the command palette.
import * as vscode from 'vscode';
import { Command, CommandId } from '../constants';
import type { Services } from '../services';
import { apply } from './apply';
import { setHaloCredentials } from './credentials';
import { setDirectorySecrets } from './directorySecrets';
import { dryRun, refreshSnapshots, showDiff } from './diff';
import { reportFailure } from './failures';
import { openJournal } from './navigate';
import { showReport } from './report';
import { revert } from './revert';
import { newMapping } from './newMapping';
import { signInEntra } from './signInEntra';
import { startSimulator, stopSimulator } from './simulator';
import { testConnections } from './testConnections';
import { validate } from './validate';

const TITLES: Record<CommandId, string> = {
  [Command.validate]: 'Validate Mapping',
  [Command.showDiff]: 'Show Diff',
  [Command.dryRun]: 'Dry Run',
  [Command.apply]: 'Apply',
  [Command.applySelected]: 'Apply Selected',
  [Command.testConnections]: 'Test Connections',
  [Command.newMapping]: 'New Mapping File',
  [Command.signInEntra]: 'Sign in to Entra',
  [Command.setHaloCredentials]: 'Set Halo Credentials',
  [Command.setDirectorySecrets]: 'Set Directory Secrets',
  [Command.refreshSnapshots]: 'Refresh Snapshots',
  [Command.refreshSnapshotsFull]: 'Refresh Snapshots (Full Re-read)',
  [Command.openJournal]: 'Open Journal',
  [Command.revert]: 'Revert an Apply',
  [Command.showReport]: 'Show Report',
  [Command.startSimulator]: 'Start Simulator',
  [Command.stopSimulator]: 'Stop Simulator',
};

/** A mapping URI passed by a menu (editor title) or by a caller; anything else means "current". */
const uriArg = (a: unknown): vscode.Uri | undefined => (a instanceof vscode.Uri ? a : undefined);
const keysArg = (a: unknown): string[] | undefined => (Array.isArray(a) && a.every((k) => typeof k === 'string') ? a : undefined);

export function registerCommands(svc: Services): vscode.Disposable[] {
  const handlers: Record<CommandId, (...args: unknown[]) => Promise<unknown>> = {
    [Command.validate]: (a) => validate(svc, uriArg(a)),
    // The rule CodeLens passes (uri, { kind, rule }); the panel opens on the whole plan.
    [Command.showDiff]: (a) => showDiff(svc, uriArg(a)),
    [Command.dryRun]: (a) => dryRun(svc, uriArg(a)),
    [Command.apply]: (a) => apply(svc, svc.sessions.require(uriArg(a))),
    // From the panel (keys of the changes ticked in the tree), or (keys, mapping URI) from a caller.
    [Command.applySelected]: async (keys, a) => {
      const selected = keysArg(keys);
      if (!selected) throw new Error('Apply Selected applies changes ticked in the diff: open Show Diff and select some.');
      return apply(svc, svc.sessions.require(uriArg(a)), selected);
    },
    [Command.testConnections]: (a) => testConnections(svc, uriArg(a)),
    [Command.newMapping]: () => newMapping(svc),
    [Command.signInEntra]: (a) => signInEntra(svc, uriArg(a)),
    [Command.setHaloCredentials]: (a) => setHaloCredentials(svc, uriArg(a)),
    [Command.setDirectorySecrets]: (a) => setDirectorySecrets(svc, uriArg(a)),
    [Command.refreshSnapshots]: (a) => refreshSnapshots(svc, uriArg(a)),
    [Command.refreshSnapshotsFull]: (a) => refreshSnapshots(svc, uriArg(a), { full: true }),
    // (journal path) from a caller; otherwise the person picks one.
    [Command.revert]: (a, b) => revert(svc, svc.sessions.require(uriArg(b)), typeof a === 'string' ? a : undefined),
    // (kind, mapping URI) from a caller; otherwise the person picks the report.
    [Command.showReport]: (a, b) => showReport(svc, svc.sessions.require(uriArg(b)), a === 'access' || a === 'licences' || a === 'orphans' ? a : undefined),
    [Command.openJournal]: (a) => openJournal(svc, uriArg(a) ? svc.sessions.get(uriArg(a)!) : undefined),
    [Command.startSimulator]: () => startSimulator(svc),
    [Command.stopSimulator]: () => stopSimulator(svc),
  };
  return (Object.keys(handlers) as CommandId[]).map((id) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      svc.log.debug(`Command ${TITLES[id]}`);
      try {
        return await handlers[id](...args);
      } catch (e) {
        reportFailure(svc, `${TITLES[id]} failed`, e);
        return undefined;
      }
    }),
  );
}
