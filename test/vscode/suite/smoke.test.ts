// Smoke: the built extension is the one loaded, activates on a mapping file, and registers every
// command its manifest contributes.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'halo-identity.halo-identity';

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise(r => setTimeout(r, 100));
  }
}

suite('smoke', () => {
  let extension: vscode.Extension<unknown>;
  let mapping: vscode.TextDocument;

  suiteSetup(() => {
    const found = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(found, `${EXTENSION_ID} is not loaded; extensions: ${vscode.extensions.all.map(e => e.id).filter(id => !id.startsWith('vscode.')).join(', ')}`);
    extension = found;
  });

  test('the extension under test is the built bundle in the repository', () => {
    const json = extension.packageJSON as { main: string; version: string };
    assert.equal(json.main, './dist/extension.js');
    const root = process.env.HALO_IDENTITY_TEST_ROOT;
    assert.ok(root, 'HALO_IDENTITY_TEST_ROOT is not set: run through test/vscode/run.ts');
    assert.equal(path.resolve(extension.extensionPath), path.resolve(root));
  });

  test('activation is lazy: nothing runs before a mapping file is opened', () => {
    assert.equal(extension.isActive, false);
  });

  test('opening the fixture mapping activates the extension', async () => {
    const folder = vscode.workspace.workspaceFolders![0].uri;
    mapping = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder, 'halo-identity.yaml'));
    await vscode.window.showTextDocument(mapping);
    await waitFor('the extension to activate', () => extension.isActive);
  });

  test('the fixture mapping is in the halo-identity language', () => {
    assert.equal(mapping.languageId, 'halo-identity');
  });

  test('every contributed command is registered', async () => {
    const contributed = ((extension.packageJSON as { contributes: { commands: { command: string }[] } })
      .contributes.commands).map(c => c.command);
    assert.ok(contributed.length > 0, 'the manifest contributes no commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter(c => !registered.has(c));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });
});
