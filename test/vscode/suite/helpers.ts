// Shared by the in-host suites of the commands: the extension's test API, waiting, and files.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TestApi } from '../../../src/extension/extension';
import type { PromptRecord } from '../../../src/extension/testHooks';

export const EXTENSION_ID = 'halo-identity.halo-identity';

export function workspaceFolder(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  assert.ok(folder, 'no workspace folder is open');
  return folder;
}

export function fixtureMapping(): vscode.Uri {
  return vscode.Uri.joinPath(workspaceFolder(), 'halo-identity.yaml');
}

/** Opens the fixture mapping (which activates the extension) and returns the test API. */
export async function activate(): Promise<TestApi> {
  const doc = await vscode.workspace.openTextDocument(fixtureMapping());
  await vscode.window.showTextDocument(doc);
  const extension = vscode.extensions.getExtension<TestApi | undefined>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not loaded`);
  const api = await extension.activate();
  assert.ok(api?.testHooks, 'the extension exported no test API: is it running in test mode?');
  api.testHooks.reset();
  return api;
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Answers modals with the first of `buttons` they offer; everything else is dismissed. */
export function accept(...buttons: string[]): (p: PromptRecord) => string | undefined {
  return (p) => (p.modal ? buttons.find((b) => p.items.includes(b)) : undefined);
}

export function journalsIn(mapping: vscode.Uri): string[] {
  const dir = path.join(path.dirname(mapping.fsPath), '.halo-identity', 'journals');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl')) : [];
}

/** A fresh simulator (a new simulated tenant): stops a running one first. */
export async function startFreshSimulator(): Promise<vscode.Uri> {
  await vscode.commands.executeCommand('haloIdentity.stopSimulator');
  const mapping = await vscode.commands.executeCommand<vscode.Uri | undefined>('haloIdentity.startSimulator');
  assert.ok(mapping, 'Start Simulator returned no mapping');
  // Journals of earlier runs would confuse the journal checks.
  fs.rmSync(path.join(path.dirname(mapping.fsPath), '.halo-identity'), { recursive: true, force: true });
  return mapping;
}

export async function closeEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** What the extension said, for failure messages. */
export function told(api: TestApi): string {
  return `\nprompts: ${JSON.stringify(api.testHooks.prompts, null, 1)}\nlog:\n${api.testHooks.log.join('\n')}`;
}
