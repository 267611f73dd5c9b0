// One way to tell the user an operation failed: the log gets the detail, the panel the message,
// and the notification offers the follow-up that helps (credentials, trust, problems, log).
import * as vscode from 'vscode';
import { Command } from '../constants';
import { credentialHints, describeError } from '../errors';
import { DiffPanel } from '../panel';
import { notify } from '../prompts';
import type { Services } from '../services';
import type { MappingSession } from '../session';

export function reportFailure(svc: Services, what: string, e: unknown, session?: MappingSession): void {
  const message = describeError(e);
  const name = e instanceof Error ? e.name : '';
  svc.log.error(`${what}: ${message}`);
  if (e instanceof Error && !KNOWN.has(name)) svc.log.debug(e.stack ?? '');
  if (session && DiffPanel.currentPanel?.boundSession === session) DiffPanel.currentPanel.post({ type: 'error', message: `${what}: ${message}` });
  const actions: Record<string, () => unknown> = {};
  const hints = credentialHints(e);
  if (hints.includes('halo')) actions['Set Halo Credentials'] = () => vscode.commands.executeCommand(Command.setHaloCredentials, session?.uri);
  if (hints.includes('entra')) actions['Sign in to Entra'] = () => vscode.commands.executeCommand(Command.signInEntra, session?.uri);
  if (name === 'NeedsTrustError') actions['Manage Workspace Trust'] = () => vscode.commands.executeCommand('workbench.trust.manage');
  if (name === 'MappingInvalidError') actions['Show Problems'] = () => vscode.commands.executeCommand('workbench.actions.view.problems');
  if (name === 'SimulatorStoppedError') actions['Start Simulator'] = () => vscode.commands.executeCommand(Command.startSimulator);
  if (name === 'NoMappingError') {
    actions['New Mapping File'] = () => vscode.commands.executeCommand(Command.newMapping);
    actions['Start Simulator'] = () => vscode.commands.executeCommand(Command.startSimulator);
  }
  actions['Show Log'] = () => svc.log.show();
  notify('error', `${what}: ${message}`, actions);
}

const KNOWN = new Set(['MappingInvalidError', 'PlanInputError', 'BlockedError', 'ConnectionError', 'EntraReadError', 'DirectoryReadError', 'HaloApiError', 'HaloAuthError', 'HaloGaveUpError', 'HaloReadError', 'NeedsTrustError', 'NoMappingError', 'SimulatorStoppedError', 'AbortedError']);
