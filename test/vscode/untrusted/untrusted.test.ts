// The extension in a workspace VS Code itself does not trust (restricted mode): the mapping is
// still validated and can be diffed against the built-in simulators, but nothing reads a real
// tenant with the workspace's credentials and nothing applies. Trust is VS Code's, not a test hook's.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TestApi } from '../../../src/extension/extension';
import { activate, closeEditors, fixtureMapping, told, waitFor } from '../suite/helpers';

suite('untrusted workspace (restricted mode)', () => {
  let api: TestApi;

  suiteSetup(async () => {
    api = await activate();
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('haloIdentity.stopSimulator');
    await closeEditors();
  });

  test('VS Code says the folder is untrusted, and the test hook does not override it', () => {
    assert.equal(vscode.workspace.isTrusted, false);
    assert.equal(api.testHooks.trusted, undefined);
  });

  test('the mapping is validated all the same', async () => {
    const doc = await vscode.workspace.openTextDocument(fixtureMapping());
    const editor = await vscode.window.showTextDocument(doc);
    await editor.edit((e) => e.insert(new vscode.Position(doc.lineCount, 0), '\nbogusKey: 1\n'));
    const problems = await waitFor('a diagnostic for the unknown key', () => {
      const d = vscode.languages.getDiagnostics(doc.uri).filter((x) => /bogusKey/.test(x.message));
      return d.length ? d : undefined;
    });
    assert.equal(problems[0].severity, vscode.DiagnosticSeverity.Error);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  test('Show Diff of a real tenant is refused: it would send the workspace credentials', async () => {
    await vscode.commands.executeCommand('haloIdentity.showDiff', fixtureMapping());
    const refusal = api.testHooks.prompts.find((p) => p.kind === 'error' || p.kind === 'warning');
    assert.match(refusal?.message ?? '', /trusted workspace/, told(api));
  });

  test('the simulator can be diffed, and Apply is refused before anything is written', async () => {
    const sim = await vscode.commands.executeCommand<vscode.Uri | undefined>('haloIdentity.startSimulator');
    assert.ok(sim, `Start Simulator returned no mapping${told(api)}`);
    api.testHooks.reset();
    await vscode.commands.executeCommand('haloIdentity.showDiff', sim);
    assert.ok(api.lastPlan(sim)?.changes.length, `no plan for the simulated tenant${told(api)}`);
    const outcome = await vscode.commands.executeCommand('haloIdentity.apply', sim);
    assert.equal(outcome, undefined);
    assert.ok(!api.testHooks.prompts.some((p) => p.modal), 'a confirmation was asked although Apply is refused');
    assert.match(api.testHooks.prompts.find((p) => p.kind === 'error')?.message ?? '', /untrusted workspace/);
  });
});
