// What the language features need from the rest of the extension, injected by the host so that
// this folder owns no connections, snapshots or plans of its own.
import type * as vscode from 'vscode';
import type { Plan } from '../../core/changes';
import type { LiveNames } from '../../core/semantic';

/** The part of a LogOutputChannel (or a logger over one) that language features write to. */
export interface LanguageLog {
  debug(message: string): void;
  error(message: string | Error): void;
}

export interface LanguageDeps {
  /**
   * Entra and Halo names from the cached snapshots, for the mapping at `uri` when given;
   * undefined until something was read.
   */
  liveNames(uri?: vscode.Uri): LiveNames | undefined;
  /** The last plan made for this mapping file (Dry Run or the diff panel), if any. */
  lastPlan(uri: vscode.Uri): Plan | undefined;
  /** Fires with the mapping file's URI when its plan changes. */
  onDidChangePlan: vscode.Event<vscode.Uri>;
  /** Fires when liveNames() would return something new; diagnostics are then checked again. */
  onDidChangeLiveNames?: vscode.Event<void>;
  log: LanguageLog;
}
