// Start Simulator / Stop Simulator: a demo of the whole loop without a tenant or credentials.
import * as vscode from 'vscode';
import { config } from '../config';
import { Command } from '../constants';
import { DiffPanel } from '../panel';
import { notify } from '../prompts';
import type { Services } from '../services';
import { reportFailure } from './failures';

export async function startSimulator(svc: Services): Promise<vscode.Uri | undefined> {
  const users = config.simulatorUsers();
  let mapping: vscode.Uri;
  try {
    mapping = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Halo Identity: starting the simulators (${users} Entra users)…` }, () => svc.simulator.start(users));
  } catch (e) {
    reportFailure(svc, 'Starting the simulators failed', e);
    return undefined;
  }
  await vscode.window.showTextDocument(mapping, { preview: false });
  svc.sessions.focus(mapping);
  notify('info', 'Simulators running: the mapping opened here points at a simulated Entra tenant and Halo instance on this machine (made-up credentials, nothing leaves it).', {
    'Show Diff': () => vscode.commands.executeCommand(Command.showDiff, mapping),
  });
  return mapping;
}

export async function stopSimulator(svc: Services): Promise<boolean> {
  const mapping = svc.simulator.mappingUri;
  const stopped = await svc.simulator.stop();
  const panel = DiffPanel.currentPanel;
  if (stopped && mapping && panel?.boundSession?.uri.toString() === mapping.toString()) panel.post({ type: 'error', message: 'The simulators were stopped: this diff describes systems that are gone.' });
  if (stopped) notify('info', 'Simulators stopped. Start them again for a fresh simulated tenant.');
  return stopped;
}
