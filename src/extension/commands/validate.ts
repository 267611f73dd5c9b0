// Validate Mapping: the mapping's problems (syntax, schema, semantics, and names unknown to the
// cached snapshots) in the Problems view, and a count in a notification.
import * as vscode from 'vscode';
import type { Diagnostic } from '../../core/diagnostic';
import type { LiveNames } from '../../core/semantic';
import { loadEngine } from '../lazy';
import { notify } from '../prompts';
import type { Services } from '../services';
import type { LoadedMapping } from '../session';
import { reportFailure } from './failures';

export interface ValidateResult {
  errors: number;
  warnings: number;
}

export async function validate(svc: Services, uri?: vscode.Uri): Promise<ValidateResult | undefined> {
  const session = svc.sessions.require(uri);
  let diagnostics: Diagnostic[];
  try {
    diagnostics = await problemsOf(await session.load(), session.liveNames());
  } catch (e) {
    const invalid = (e as { diagnostics?: Diagnostic[] }).diagnostics;
    if (!invalid) {
      reportFailure(svc, 'Validation failed', e, session);
      return undefined;
    }
    diagnostics = invalid;
  }
  // The language features diagnose open documents: open it so the Problems view has them.
  await vscode.window.showTextDocument(session.uri, { preview: false, preserveFocus: true, viewColumn: vscode.ViewColumn.One });
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  const name = session.displayName;
  if (errors || warnings) await vscode.commands.executeCommand('workbench.actions.view.problems');
  const counts = `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
  if (errors) notify('error', `${name}: ${counts}. Nothing can be planned until the errors are fixed.`);
  else notify('info', `${name} is valid${warnings ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}.${session.liveNames() ? '' : ' Names of groups, roles, clients and sites are checked once the diff has read the directories and Halo.'}`);
  svc.log.info(`Validated ${name}: ${counts}.`);
  return { errors, warnings };
}

async function problemsOf(loaded: LoadedMapping, live: LiveNames | undefined): Promise<Diagnostic[]> {
  const out = [...loaded.parsed.diagnostics];
  if (live && loaded.parsed.typed) {
    const { checkLiveNames } = await loadEngine();
    out.push(...checkLiveNames(loaded.parsed, live));
  }
  return out;
}
