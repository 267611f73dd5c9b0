// The schema layer: Red Hat's yaml-language-server (what the YAML extension runs) over stdio, with
// our schema, gives a YAML user diagnostics, completions and hovers for halo-identity.yaml.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
// Types by file path (tsconfig's `node` resolution does not read package exports); the code by the
// package's own `./node` export, the only way Node will load it.
import type {
  ProtocolConnection, Diagnostic, CompletionItem, CompletionList, Hover, MarkupContent,
} from 'vscode-languageserver-protocol/lib/node/main';

const { createProtocolConnection, StreamMessageReader, StreamMessageWriter } =
  require('vscode-languageserver-protocol/node') as typeof import('vscode-languageserver-protocol/lib/node/main')
    & typeof import('vscode-jsonrpc/lib/node/main');

const root = path.resolve(__dirname, '..', '..', '..');
const schemaUri = pathToFileURL(path.join(root, 'schemas', 'halo-identity.schema.json')).href;
const example = fs.readFileSync(path.join(root, 'examples', 'halo-identity.yaml'), 'utf8');
const exampleUri = pathToFileURL(path.join(root, 'examples', 'halo-identity.yaml')).href;
// Documents that exist only in the server's memory.
const virtualUri = (name: string) => pathToFileURL(path.join(root, 'test-artifacts', 'schema', name)).href;

const settings = {
  validate: true, completion: true, hover: true, format: { enable: false },
  // Offline and deterministic: only our schema, never the catalogue from schemastore.org.
  schemaStore: { enable: false },
  schemas: { [schemaUri]: ['*.yaml'] },
};

let server: ChildProcess;
let connection: ProtocolConnection;
const diagnostics = new Map<string, Diagnostic[]>();
const waiters = new Map<string, (d: Diagnostic[]) => void>();
let version = 0;

function withTimeout<T>(what: string, promise: Promise<T>, ms = 20_000): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Opens a document and resolves with the first diagnostics the server publishes for it.
function open(uri: string, text: string): Promise<Diagnostic[]> {
  diagnostics.delete(uri);
  const published = new Promise<Diagnostic[]>(resolve => waiters.set(uri, resolve));
  void connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: ++version, text } });
  return withTimeout(`diagnostics for ${uri}`, published);
}

const message = (d: Diagnostic) => (typeof d.message === 'string' ? d.message : d.message.value);

function positionOf(text: string, needle: string, offsetInNeedle = 0): { line: number; character: number } {
  const index = text.indexOf(needle);
  assert.ok(index >= 0, `${needle} not in the document`);
  const before = text.slice(0, index + offsetInNeedle).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}

before(async () => {
  server = spawn(process.execPath, [path.join(root, 'node_modules', 'yaml-language-server', 'bin', 'yaml-language-server'), '--stdio'],
    { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  server.stderr!.on('data', d => { stderr += d; });
  server.on('exit', code => { if (code) console.error(`yaml-language-server exited ${code}: ${stderr}`); });
  connection = createProtocolConnection(new StreamMessageReader(server.stdout!), new StreamMessageWriter(server.stdin!));
  connection.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) =>
    params.items.map(item => (item.section === 'yaml' ? settings : item.section === 'http' ? { proxyStrictSSL: true } : {})));
  connection.onRequest('client/registerCapability', () => null);
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: Diagnostic[] }) => {
    diagnostics.set(p.uri, p.diagnostics);
    const waiter = waiters.get(p.uri);
    if (waiter) { waiters.delete(p.uri); waiter(p.diagnostics); }
  });
  connection.listen();
  await withTimeout('initialize', connection.sendRequest('initialize', {
    processId: process.pid, rootUri: pathToFileURL(root).href, workspaceFolders: null,
    capabilities: {
      workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
      textDocument: {
        completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] } },
        hover: { contentFormat: ['markdown', 'plaintext'] },
        publishDiagnostics: { relatedInformation: true },
      },
    },
    initializationOptions: {},
  }));
  await connection.sendNotification('initialized', {});
  await connection.sendNotification('workspace/didChangeConfiguration', { settings: { yaml: settings } });
});

after(async () => {
  try {
    await withTimeout('shutdown', connection.sendRequest('shutdown'), 5_000);
    await connection.sendNotification('exit');
  } catch { /* killed below */ }
  connection.dispose();
  server.kill();
});

test('the normative example has no diagnostics', async () => {
  const found = await open(exampleUri, example);
  assert.deepEqual(found.map(d => `${d.range.start.line + 1}:${d.range.start.character + 1} ${message(d)}`), []);
});

test('a broken mapping gets positioned diagnostics: unknown key, wrong enum, literal secret', async () => {
  const broken = example
    .replace('version: 1\n', 'version: 1\ncolour: blue\n')
    .replace('licence: named', 'licence: nameed')
    .replace('clientSecret: ${env:HALO_CLIENT_SECRET}', 'clientSecret: "Xk8~q2Yt.Pz"');
  const found = await open(virtualUri('broken.yaml'), broken);
  const at = (d: Diagnostic) => ({ line: d.range.start.line, character: d.range.start.character });
  const find = (pattern: RegExp) => {
    const d = found.find(x => pattern.test(message(x)));
    assert.ok(d, `no diagnostic matching ${pattern}; got: ${found.map(message).join(' | ')}`);
    return d;
  };
  assert.deepEqual(at(find(/Property colour is not allowed/)), positionOf(broken, 'colour: blue'));
  const licence = find(/Value is not accepted.*"named".*"concurrent".*"unchanged"/);
  assert.deepEqual(at(licence), positionOf(broken, 'licence: nameed', 'licence: '.length));
  const secret = find(/clientSecret must be a reference/);
  assert.deepEqual(at(secret), positionOf(broken, 'clientSecret: "Xk8', 'clientSecret: '.length));
  assert.equal(found.length, 3, found.map(message).join(' | '));
});

test('an attribute Graph does not have is flagged at its value, as validate flags it', async () => {
  const broken = example.replace('    title: jobTitle\n', '    title: jobTitle\n    manager_email: manager\n');
  assert.notEqual(broken, example);
  const found = await open(virtualUri('attribute.yaml'), broken);
  assert.equal(found.length, 1, found.map(message).join(' | '));
  assert.match(message(found[0]), /must be an attribute Entra users have in Graph's metadata/);
  assert.deepEqual({ line: found[0].range.start.line, character: found[0].range.start.character }, positionOf(broken, 'manager_email: manager', 'manager_email: '.length));
});

test('completion on an empty key line under halo: lists our keys', async () => {
  const text = 'version: 1\nhalo:\n  url: https://contoso.halopsa.com\n  \n';
  const uri = virtualUri('completion.yaml');
  await open(uri, text);
  const result = await withTimeout('completion', connection.sendRequest<CompletionList | CompletionItem[] | null>(
    'textDocument/completion', { textDocument: { uri }, position: { line: 3, character: 2 } }));
  const items = Array.isArray(result) ? result : result?.items ?? [];
  const labels = items.map(i => i.label);
  for (const key of ['authUrl', 'tenant', 'clientId', 'clientSecret', 'scope', 'pageSize', 'batchSize', 'rateLimit']) {
    assert.ok(labels.includes(key), `${key} missing from completions: ${labels.join(', ')}`);
  }
  assert.ok(!labels.includes('url'), 'url is already present and must not be offered again');
  assert.ok(!labels.includes('entra'), 'a top-level key is offered inside halo:');
});

test('hover on licence shows our description', async () => {
  const position = positionOf(example, 'licence: named', 2);
  const hover = await withTimeout('hover', connection.sendRequest<Hover | null>(
    'textDocument/hover', { textDocument: { uri: exampleUri }, position }));
  assert.ok(hover, 'no hover');
  const contents = hover.contents as MarkupContent | string;
  const text = typeof contents === 'string' ? contents : contents.value;
  assert.match(text, /Halo licence type of the agents: named, concurrent, or unchanged/);
});
