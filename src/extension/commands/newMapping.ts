// New Mapping File: the normative example with this organisation's values left blank (the
// Problems view then points at each one to fill in), opened for editing.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXAMPLE_MAPPING } from '../../sim/example-mapping';
import { blankExample } from '../../core/new-mapping';
import { Command } from '../constants';
import { input, notify, pick } from '../prompts';
import type { Services } from '../services';

export async function newMapping(svc: Services): Promise<vscode.Uri | undefined> {
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
  let target: vscode.Uri | undefined;
  if (folder) {
    target = vscode.Uri.joinPath(folder.uri, 'halo-identity.yaml');
    if (fs.existsSync(target.fsPath)) {
      const choice = await pick(
        [
          { label: 'Open the existing halo-identity.yaml', open: true },
          { label: 'Create another mapping file…', open: false },
        ],
        { title: 'Halo Identity: New Mapping File', placeHolder: 'This folder already has a halo-identity.yaml' },
      );
      if (!choice) return undefined;
      if (choice.open) {
        await vscode.window.showTextDocument(target);
        return target;
      }
      const name = await input({
        title: 'Halo Identity: New Mapping File',
        prompt: 'Name of the new mapping (saved as NAME.halo-identity.yaml in the workspace folder).',
        validateInput: (v) => (/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(v.trim()) ? (fs.existsSync(path.join(folder.uri.fsPath, `${v.trim()}.halo-identity.yaml`)) ? 'That file exists already.' : undefined) : 'Letters, digits, dots, dashes and underscores.'),
      });
      if (!name) return undefined;
      target = vscode.Uri.joinPath(folder.uri, `${name.trim()}.halo-identity.yaml`);
    }
  } else {
    target = await vscode.window.showSaveDialog({ title: 'Halo Identity: New Mapping File', defaultUri: vscode.Uri.file(path.join(os.homedir(), 'halo-identity.yaml')), filters: { 'Halo Identity mapping': ['yaml'] } });
    if (!target) return undefined;
  }
  await vscode.workspace.fs.writeFile(target, Buffer.from(blankExample(EXAMPLE_MAPPING), 'utf8'));
  svc.log.info(`New mapping file ${target.fsPath}.`);
  await vscode.window.showTextDocument(target);
  svc.sessions.focus(target);
  notify('info', 'New mapping written. Fill in halo.url and entra tenantId, then store credentials and open the diff.', {
    'Set Halo Credentials': () => vscode.commands.executeCommand(Command.setHaloCredentials),
    'Sign in to Entra': () => vscode.commands.executeCommand(Command.signInEntra),
  });
  return target;
}
