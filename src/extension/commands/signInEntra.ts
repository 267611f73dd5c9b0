// Sign in to Entra, per connection of the mapping, one of:
// - the app's client secret, or its certificate's private key (read once from a PEM file, stored
//   decrypted in VS Code's secret storage): app-only, for planning and applying;
// - a delegated sign-in (MSAL device code, or VS Code's Microsoft account): reads as the person
//   signed in, for planning only; the mapping's app must allow public client flows and hold the
//   delegated permissions User.Read.All and GroupMember.Read.All.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { EntraConnection } from '../../sources/entra/settings';
import type { ParsedMapping } from '../../core/parse';
import { parseReference } from '../../core/secrets';
import { Command } from '../constants';
import type { DelegatedMethod } from '../delegatedSignIn';
import { describeError, isCancellation } from '../errors';
import { applyMappingEdits, entryEdit, insertAfterEdit, MappingEdit } from '../mappingEdits';
import { confirm, input, notify, openFile, pick } from '../prompts';
import { loadEngine } from '../lazy';
import type { Services } from '../services';
import type { LoadedMapping, MappingSession } from '../session';
import { isTrusted } from '../trust';
import { raw } from './credentials';

type Method = 'secret' | 'certificate' | DelegatedMethod;

export const METHOD_LABELS: Record<Method, string> = {
  secret: '$(key) Client secret',
  certificate: '$(file-certificate) Certificate private key file',
  'device-code': '$(device-mobile) Device code (delegated, for planning only)',
  vscode: '$(account) VS Code Microsoft account (delegated, for planning only)',
};

export interface SignInResult {
  connection: string;
  method: Method;
  stored?: string;
  account?: string;
}

export async function signInEntra(svc: Services, uri?: vscode.Uri): Promise<SignInResult | undefined> {
  const session = svc.sessions.require(uri);
  const loaded = await session.load();
  const parsed = loaded.parsed;
  // The Entra list as the mapping writes it: this command is Entra's own sign-in.
  const connections = (parsed.typed as { entra?: EntraConnection[] } | null)?.entra;
  if (!connections?.length) {
    notify('error', 'Sign in to Entra needs a mapping whose entra connections validate: fix the problems shown for the entra section first.', {
      'Show Problems': () => vscode.commands.executeCommand('workbench.actions.view.problems'),
    });
    return undefined;
  }
  let index = 0;
  if (connections.length > 1) {
    const chosen = await pick(
      connections.map((c, i) => ({ label: c.name, description: c.tenantId, detail: svc.delegated.describe(c.tenantId, c.clientId), index: i })),
      { title: 'Halo Identity: Sign in to Entra', placeHolder: 'Which Entra connection?' },
    );
    if (!chosen) return undefined;
    index = chosen.index;
  }
  const conn = connections[index];
  const method = await pick(
    (Object.keys(METHOD_LABELS) as Method[]).map((m) => ({ label: METHOD_LABELS[m], method: m, detail: METHOD_DETAILS[m] })),
    { title: `Halo Identity: Sign in to Entra "${conn.name}"`, placeHolder: 'How should Halo Identity sign in to this tenant?' },
  );
  if (!method) return undefined;
  const many = connections.length > 1;
  switch (method.method) {
    case 'secret':
      return storeClientSecret(svc, session, parsed, conn, index, many);
    case 'certificate':
      return storeCertificate(svc, session, parsed, conn, index, many);
    default:
      return delegatedSignIn(svc, session, conn, method.method, loaded);
  }
}

const METHOD_DETAILS: Record<Method, string> = {
  secret: "The app registration's secret value, kept in VS Code's secret storage. For planning and applying.",
  certificate: "A PEM private key of a certificate uploaded to the app registration, kept in VS Code's secret storage. For planning and applying.",
  'device-code': 'Sign in as yourself in a browser, on any device. Reads what your account may read; Apply still needs the app credentials.',
  vscode: "Use the Microsoft account VS Code is signed in with (global cloud). Reads what your account may read; Apply still needs the app credentials.",
};

function defaultName(conn: EntraConnection, many: boolean, what: string): string {
  return many ? `ENTRA_${conn.name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${what}` : `ENTRA_${what}`;
}

async function storeClientSecret(svc: Services, session: MappingSession, parsed: ParsedMapping, conn: EntraConnection, i: number, many: boolean): Promise<SignInResult | undefined> {
  const ref = parseReference(raw(parsed, ['entra', i, 'clientSecret']));
  const name = ref?.name ?? defaultName(conn, many, 'CLIENT_SECRET');
  const value = await input({
    title: `Halo Identity: client secret for Entra "${conn.name}"`,
    prompt: `The secret's Value (not its ID) from the app registration's Certificates & secrets. Kept in VS Code's secret storage as ${name}.`,
    password: true,
    validateInput: (v) => (v.trim() ? undefined : 'Enter the client secret value.'),
  });
  if (value === undefined) return undefined;
  await svc.secrets.store(name, value.trim());
  if (!ref) {
    // The connection signs in with a certificate today: offer to switch it to the secret.
    const edit = conn.certificate ? entryEdit(parsed, ['entra', i, 'certificate'], [`clientSecret: \${secret:${name}}`]) : insertAfterEdit(parsed, ['entra', i, 'clientId'], [`clientSecret: \${secret:${name}}`]);
    offerEdit(session, edit, `Saved as ${name}. Make entra "${conn.name}" sign in with it (clientSecret: \${secret:${name}})?`);
  } else {
    notify('info', `Client secret for Entra "${conn.name}" saved as ${name}.`, { 'Test Connections': () => vscode.commands.executeCommand(Command.testConnections) });
  }
  return { connection: conn.name, method: 'secret', stored: name };
}

async function storeCertificate(svc: Services, session: MappingSession, parsed: ParsedMapping, conn: EntraConnection, i: number, many: boolean): Promise<SignInResult | undefined> {
  const file = await openFile(`Private key for Entra "${conn.name}" (PEM)`, { 'PEM files': ['pem', 'key', 'crt', 'cer'], 'All files': ['*'] });
  if (!file) return undefined;
  let pem: string;
  try {
    pem = fs.readFileSync(file.fsPath, 'utf8');
  } catch (e) {
    notify('error', `Cannot read ${file.fsPath}: ${describeError(e)}`);
    return undefined;
  }
  const key = await privateKeyOf(pem);
  if (!key) return undefined;
  svc.log.secret(key);
  // A PEM bundle with the certificate gives the thumbprint; otherwise the mapping's or the user's.
  let thumbprint = certificateThumbprint(pem) ?? conn.certificate?.thumbprintSha256;
  if (!thumbprint) {
    const typed = await input({
      title: `Halo Identity: certificate thumbprint for Entra "${conn.name}"`,
      prompt: "The certificate's SHA-256 thumbprint (64 hexadecimal characters), as uploaded to the app registration.",
      validateInput: (v) => (/^[0-9a-f]{64}$/i.test(v.replace(/[\s:]/g, '')) ? undefined : 'A SHA-256 thumbprint is 64 hexadecimal characters.'),
    });
    if (typed === undefined) return undefined;
    thumbprint = typed.replace(/[\s:]/g, '');
  }
  const ref = parseReference(raw(parsed, ['entra', i, 'certificate', 'privateKey']));
  const name = ref?.name ?? defaultName(conn, many, 'PRIVATE_KEY');
  await svc.secrets.store(name, key);
  const upToDate = ref !== undefined && conn.certificate?.thumbprintSha256?.toLowerCase() === thumbprint.toLowerCase();
  if (!upToDate) {
    const lines = ['certificate:', `  thumbprintSha256: ${thumbprint.toLowerCase()}`, `  privateKey: \${secret:${name}}`];
    const path = conn.certificate ? ['entra', i, 'certificate'] : ['entra', i, 'clientSecret'];
    offerEdit(session, entryEdit(parsed, path, lines), `Private key saved as ${name}. Make entra "${conn.name}" sign in with this certificate?`);
  } else {
    notify('info', `Private key for Entra "${conn.name}" saved as ${name}.`, { 'Test Connections': () => vscode.commands.executeCommand(Command.testConnections) });
  }
  return { connection: conn.name, method: 'certificate', stored: name };
}

async function delegatedSignIn(svc: Services, session: MappingSession, conn: EntraConnection, method: DelegatedMethod, loaded: LoadedMapping): Promise<SignInResult | undefined> {
  const { cloudEndpoints, httpClientFor } = await loadEngine();
  // The simulator's mapping names the simulator's app; any other, the user's stored values.
  const lookup = svc.simulator.lookupFor(session.uri) ?? svc.secrets.lookup();
  const resolve = async (v: string) => {
    const ref = parseReference(v);
    return ref ? ((await lookup(ref.kind, ref.name)) ?? undefined) : v;
  };
  const [tenantId, clientId] = await Promise.all([resolve(conn.tenantId), resolve(conn.clientId)]);
  if (!tenantId || !clientId) {
    notify('error', `Entra "${conn.name}": its tenantId or clientId reference has no value here; set it in the environment or the secret storage first.`);
    return undefined;
  }
  const endpoints = cloudEndpoints(conn.cloud);
  if (endpoints.custom && !isTrusted()) {
    // A repository could point a custom cloud at a look-alike sign-in page.
    notify('error', `Entra "${conn.name}" uses a custom cloud (${endpoints.loginUrl}): signing in to it needs a trusted workspace.`);
    return undefined;
  }
  try {
    const account = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Halo Identity: signing in to Entra "${conn.name}"…`, cancellable: true },
      // The sign-in trusts the same CAs as the mapping's reads (tls.caFiles).
      (_progress, token) => svc.delegated.signIn(method, { tenantId, clientId, ...endpoints }, httpClientFor(loaded.parsed.typed!, loaded.baseDir), token),
    );
    notify('info', `Signed in to Entra "${conn.name}" as ${account}, for planning: the diff and Dry Run now read Entra with your account when the app's credentials are absent. Apply still needs the app's client secret or certificate.`, {
      'Show Diff': () => vscode.commands.executeCommand(Command.showDiff, session.uri),
    });
    return { connection: conn.name, method, account };
  } catch (e) {
    if (isCancellation(e) || /cancel/i.test((e as Error).message ?? '')) return undefined;
    notify('error', `Sign-in to Entra "${conn.name}" failed: ${describeError(e)}`, { 'Show Log': () => svc.log.show() });
    svc.log.error(`Delegated sign-in to ${conn.name}: ${describeError(e)}`);
    return undefined;
  }
}

function offerEdit(session: MappingSession, edit: MappingEdit | undefined, message: string): void {
  if (!edit) {
    notify('info', message.replace(/\?$/, ': edit the mapping accordingly.'));
    return;
  }
  notify('info', message, { 'Update the Mapping': () => applyMappingEdits(session.uri, [edit]) });
}

/** The decrypted PKCS#8 PEM of the file's private key (asking for its passphrase if needed). */
async function privateKeyOf(pem: string): Promise<string | undefined> {
  const block = /-----BEGIN (?:ENCRYPTED |RSA |EC )?PRIVATE KEY-----[\s\S]*?-----END (?:ENCRYPTED |RSA |EC )?PRIVATE KEY-----/.exec(pem)?.[0];
  if (!block) {
    notify('error', 'That file holds no PEM private key (-----BEGIN PRIVATE KEY-----). Export the key in PEM format, for example with openssl pkcs12 -in cert.pfx -nocerts -nodes.');
    return undefined;
  }
  let passphrase: string | undefined;
  if (block.includes('ENCRYPTED')) {
    passphrase = await input({ title: 'Halo Identity: private key passphrase', prompt: 'The key is encrypted: its passphrase (used once to decrypt it; not stored).', password: true });
    if (passphrase === undefined) return undefined;
  }
  try {
    const key = crypto.createPrivateKey({ key: block.replace(/\r\n/g, '\n'), format: 'pem', ...(passphrase !== undefined ? { passphrase } : {}) });
    return key.export({ type: 'pkcs8', format: 'pem' }).toString();
  } catch (e) {
    const answer = await confirm('error', 'The private key could not be read.', describeError(e), 'Try Another File');
    if (answer) await vscode.commands.executeCommand(Command.signInEntra);
    return undefined;
  }
}

function certificateThumbprint(pem: string): string | undefined {
  const cert = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(pem)?.[0];
  if (!cert) return undefined;
  try {
    return new crypto.X509Certificate(cert).fingerprint256.replace(/:/g, '').toLowerCase();
  } catch {
    return undefined;
  }
}
