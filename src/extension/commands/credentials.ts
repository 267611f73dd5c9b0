// Set Halo Credentials: the API application's client id and secret, kept in VS Code's secret
// storage under the names the mapping's references use (HALO_CLIENT_ID / HALO_CLIENT_SECRET when
// it has none), with an offer to make the mapping say `${secret:…}` explicitly.
import * as vscode from 'vscode';
import type { ParsedMapping } from '../../core/parse';
import { parseReference, Reference } from '../../core/secrets';
import { Command } from '../constants';
import { applyMappingEdits, insertAfterEdit, MappingEdit, scalarEdit } from '../mappingEdits';
import { input, notify } from '../prompts';
import type { Services } from '../services';
import type { MappingSession } from '../session';

export interface CredentialsResult {
  stored: string[];
}

export async function setHaloCredentials(svc: Services, uri?: vscode.Uri): Promise<CredentialsResult | undefined> {
  const session = uri ? svc.sessions.get(uri) : svc.sessions.current();
  const parsed = session ? (await session.load()).parsed : undefined;
  const rawId = raw(parsed, ['halo', 'clientId']);
  const rawSecret = raw(parsed, ['halo', 'clientSecret']);
  const idRef = parseReference(rawId);
  const secretRef = parseReference(rawSecret);
  const idName = idRef?.name ?? (rawId === undefined ? 'HALO_CLIENT_ID' : undefined);
  const secretName = secretRef?.name ?? 'HALO_CLIENT_SECRET';

  const currentId = idRef ? ((idRef.kind === 'env' ? process.env[idRef.name] : undefined) ?? (await svc.secrets.get(idRef.name))) : rawId;
  const clientId = await input({
    title: 'Halo Identity: Set Halo Credentials (1/2)',
    prompt: 'Client ID of the Halo API application (Halo: Configuration › Integrations › Halo API › Applications; authentication method "Client ID and Secret").',
    value: currentId ?? '',
    validateInput: (v) => (v.trim() ? undefined : 'Enter the client ID.'),
  });
  if (clientId === undefined) return undefined;
  const clientSecret = await input({
    title: 'Halo Identity: Set Halo Credentials (2/2)',
    prompt: `Client secret of that application. It is kept in VS Code's secret storage as ${secretName}, never in the mapping file.`,
    password: true,
    validateInput: (v) => (v.trim() ? undefined : 'Enter the client secret.'),
  });
  if (clientSecret === undefined) return undefined;

  const stored: string[] = [];
  if (idName) {
    await svc.secrets.store(idName, clientId.trim());
    stored.push(idName);
  }
  await svc.secrets.store(secretName, clientSecret.trim());
  stored.push(secretName);

  const edits: MappingEdit[] = [];
  if (session && parsed) {
    // A literal client id is not secret: keep it in the file, changed if it was changed.
    if (rawId !== undefined && !idRef && rawId !== clientId.trim()) pushEdit(edits, scalarEdit(parsed, ['halo', 'clientId'], clientId.trim()));
    const wants = [toSecret(parsed, ['halo', 'clientId'], idRef), toSecret(parsed, ['halo', 'clientSecret'], secretRef)];
    if (rawSecret === undefined) pushEdit(edits, insertAfterEdit(parsed, ['halo', 'clientId'], [`clientSecret: \${secret:${secretName}}`]));
    const offer = wants.filter((w): w is MappingEdit => w !== undefined);
    if (edits.length) await applyMappingEdits(session.uri, edits);
    if (offer.length) offerSecretReferences(session, offer, stored);
  }
  svc.log.info(`Halo credentials stored as ${stored.join(' and ')}.`);
  notify('info', `Halo credentials saved in VS Code's secret storage (${stored.join(', ')}).`, {
    'Test Connections': () => vscode.commands.executeCommand(Command.testConnections),
  });
  return { stored };
}

/** `${env:X}` → `${secret:X}`: an edit to offer (the env form still works in the editor). */
function toSecret(parsed: ParsedMapping, path: (string | number)[], ref: Reference | undefined): MappingEdit | undefined {
  if (ref?.kind !== 'env') return undefined;
  return scalarEdit(parsed, path, `\${secret:${ref.name}}`);
}

function offerSecretReferences(session: MappingSession, edits: MappingEdit[], names: string[]): void {
  notify(
    'info',
    `The mapping reads ${names.join(' and ')} as \${env:…}: in VS Code they now come from the secret storage when the environment lacks them. Switch the mapping to \${secret:…} references? (The CLI reads only \${env:…}.)`,
    { 'Use ${secret:…} References': () => applyMappingEdits(session.uri, edits) },
  );
}

function pushEdit(edits: MappingEdit[], edit: MappingEdit | undefined): void {
  if (edit) edits.push(edit);
}

/** A scalar as written in the file, even when the mapping does not validate. */
export function raw(parsed: ParsedMapping | undefined, path: (string | number)[]): string | undefined {
  const v = parsed?.document.getIn(path);
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}
