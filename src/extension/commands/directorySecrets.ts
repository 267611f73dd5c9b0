// Set Directory Secrets: every secret a directory connection of the mapping references (an Okta
// key or API token, a Google service account key, an LDAP bind password, an Entra client secret),
// kept in VS Code's secret storage under the reference's name. Keys of several lines (PEM, JSON)
// are read from a file the person picks; nothing is ever written into the mapping or the log.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { connectionsOf } from '../../core/directories';
import type { Mapping } from '../../core/mapping';
import { listReferences } from '../../core/secrets';
import { Command } from '../constants';
import { input, notify, openFile, pick } from '../prompts';
import type { Services } from '../services';

export interface DirectorySecretsResult {
  stored: string[];
}

/** Settings whose value is a key of several lines: read from a file rather than typed. */
const FROM_FILE = /key/i;

export async function setDirectorySecrets(svc: Services, uri?: vscode.Uri): Promise<DirectorySecretsResult | undefined> {
  const session = svc.sessions.require(uri);
  const mapping = (await session.load()).parsed.typed as Mapping | null;
  if (!mapping) {
    notify('error', 'Set Directory Secrets needs a mapping that validates: fix the problems shown first.', { 'Show Problems': () => vscode.commands.executeCommand('workbench.actions.view.problems') });
    return undefined;
  }
  const wanted = connectionsOf(mapping).flatMap((c) =>
    listReferences(c.settings).map((r) => ({ name: r.name, setting: String(r.path[r.path.length - 1]), connection: `${c.directory.key} ${c.name}` })),
  );
  const unique = [...new Map(wanted.map((w) => [w.name, w])).values()];
  if (!unique.length) {
    notify('info', 'No directory connection of this mapping references a secret.');
    return { stored: [] };
  }
  const chosen = await pick(
    unique.map((w) => ({ label: w.name, description: `${w.connection} · ${w.setting}`, w })),
    { title: 'Halo Identity: Set Directory Secrets', placeHolder: 'Which secret to store?' },
  );
  if (!chosen) return undefined;
  const { name, setting, connection } = chosen.w;
  let value: string | undefined;
  if (FROM_FILE.test(setting)) {
    const file = await openFile(`The file holding ${setting} of ${connection} (kept as ${name} in VS Code's secret storage)`, { Keys: ['pem', 'key', 'json'], 'All files': ['*'] });
    value = file ? fs.readFileSync(file.fsPath, 'utf8') : undefined;
  } else {
    value = await input({ title: `Halo Identity: ${name}`, prompt: `${setting} of ${connection}. It is kept in VS Code's secret storage as ${name}, never in the mapping file.`, password: true, validateInput: (v) => (v.trim() ? undefined : 'Enter the value.') });
  }
  if (value === undefined || !value.trim()) return undefined;
  await svc.secrets.store(name, value.trim());
  svc.log.info(`Stored secret ${name} (${connection} ${setting}).`);
  notify('info', `${name} saved in VS Code's secret storage.`, { 'Test Connections': () => vscode.commands.executeCommand(Command.testConnections) });
  return { stored: [name] };
}
