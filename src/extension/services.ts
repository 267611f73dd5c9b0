// What the commands share. Built once in activate().
import type * as vscode from 'vscode';
import type { DelegatedSignIns } from './delegatedSignIn';
import type { Logger } from './log';
import type { PanelContext } from './panel';
import type { SecretStore } from './secretStore';
import type { Sessions } from './sessions';
import type { SimulatorHost } from './simulator';

export interface Services {
  context: vscode.ExtensionContext;
  log: Logger;
  secrets: SecretStore;
  sessions: Sessions;
  simulator: SimulatorHost;
  delegated: DelegatedSignIns;
  panel: PanelContext;
}
