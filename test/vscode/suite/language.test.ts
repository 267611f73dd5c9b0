// Language features in a real VS Code: completion, hover, diagnostics with their quick fix,
// CodeLens and the outline, asked for through the same commands the editor itself uses.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { waitFor } from './helpers';

const EXTENSION_ID = 'halo-identity.halo-identity';


function label(item: vscode.CompletionItem): string {
  return typeof item.label === 'string' ? item.label : item.label.label;
}

function text(value: string | vscode.MarkdownString | vscode.MarkedString | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  return 'value' in value ? value.value : '';
}

suite('language features', () => {
  let uri: vscode.Uri;
  let doc: vscode.TextDocument;
  let original: string;

  const positionOf = (needle: string, delta = 0): vscode.Position => {
    const i = doc.getText().indexOf(needle);
    assert.ok(i >= 0, `the fixture lacks ${JSON.stringify(needle)}`);
    return doc.positionAt(i + delta);
  };

  const completions = async (position: vscode.Position): Promise<vscode.CompletionItem[]> => {
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, position);
    return list?.items ?? [];
  };

  const replace = async (needle: string, replacement: string): Promise<void> => {
    const start = positionOf(needle);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, new vscode.Range(start, doc.positionAt(doc.offsetAt(start) + needle.length)), replacement);
    assert.ok(await vscode.workspace.applyEdit(edit), 'the edit was not applied');
  };

  /** Back to the file on disk, so that each test starts from the fixture. */
  const restore = async (): Promise<void> => {
    if (doc.getText() === original && !doc.isDirty) return;
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await waitFor('the fixture to be reverted', () => doc.getText() === original);
  };

  suiteSetup(async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'no workspace folder is open');
    uri = vscode.Uri.joinPath(folder.uri, 'halo-identity.yaml');
    doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    assert.equal(doc.languageId, 'halo-identity');
    original = doc.getText();
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded`);
    await extension.activate();
    // Providers are registered during activation; the first answer says they are in place.
    await waitFor('the completion provider', async () => (await completions(positionOf('licence: named', 9))).some((i) => label(i) === 'concurrent'));
  });

  teardown(restore);

  suiteTeardown(async () => {
    await restore();
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  test('completion offers the keys an agent rule may still take, with schema documentation', async () => {
    const items = (await completions(positionOf('    team: Service Desk', 4))).filter((i) => i.kind === vscode.CompletionItemKind.Property);
    const names = items.map(label);
    assert.ok(names.includes('tenant') && names.includes('team'), `got ${names.join(', ')}`);
    for (const present of ['rule', 'from', 'roles', 'licence']) assert.ok(!names.includes(present), `${present} is already in the rule`);
    const tenant = items.find((i) => label(i) === 'tenant')!;
    assert.match(text(tenant.documentation), /connection \(an entry of entra: or another directory list\) this rule reads from/);
  });

  test('completion offers the values of an enum, the default preselected', async () => {
    const items = (await completions(positionOf('licence: named', 9))).filter((i) => i.kind === vscode.CompletionItemKind.EnumMember);
    assert.deepEqual(items.map(label).sort(), ['concurrent', 'named', 'unchanged']);
    assert.equal(items.find((i) => label(i) === 'unchanged')!.preselect, true);
    const range = items[0].range;
    const replaced = range instanceof vscode.Range ? range : range?.replacing;
    assert.ok(replaced, 'no replace range');
    assert.equal(doc.getText(replaced), 'named');
  });

  test('completion works on a half-typed key in a file that is not valid YAML yet', async () => {
    await replace('    licence: named', '    licence: named\n    ten');
    // Anchored on the agent rule: the entra connection above also has a line starting `    ten`.
    const position = positionOf('licence: named\n    ten', 'licence: named\n    ten'.length);
    const items = (await completions(position)).filter((i) => i.kind === vscode.CompletionItemKind.Property);
    const tenant = items.find((i) => label(i) === 'tenant');
    assert.ok(tenant, `got ${items.map(label).join(', ')}`);
    assert.ok(tenant.insertText instanceof vscode.SnippetString);
    assert.equal(tenant.insertText.value.startsWith('tenant: '), true);
  });

  test('hover shows the schema description, allowed values and default', async () => {
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, positionOf('licence: named', 2));
    const shown = hovers.flatMap((h) => h.contents.map(text)).join('\n');
    assert.match(shown, /Halo licence type of the agents/);
    assert.match(shown, /`concurrent`/);
    assert.match(shown, /Default: `unchanged`/);
  });

  test('a wrong enum value is reported where it is, with a quick fix that corrects it', async () => {
    await replace('licence: named', 'licence: nmaed');
    const where = positionOf('nmaed');
    const problem = await waitFor('the invalid-value diagnostic', () =>
      vscode.languages.getDiagnostics(uri).find((d) => d.code === 'invalid-value' && d.range.start.line === where.line),
    );
    assert.equal(problem.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(problem.source, 'Halo Identity');
    assert.deepEqual([problem.range.start.line, problem.range.start.character], [where.line, where.character]);
    assert.equal(doc.getText(problem.range), 'nmaed');
    assert.match(problem.message, /did you mean "named"\?/);

    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      uri,
      problem.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const fix = actions.find((a) => a.title === "Change to 'named'");
    assert.ok(fix, `got ${actions.map((a) => a.title).join(', ')}`);
    assert.equal(fix.isPreferred, true);
    assert.ok(fix.edit);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.ok(doc.getText().includes('licence: named'));
    await waitFor('the diagnostic to go away', () => !vscode.languages.getDiagnostics(uri).some((d) => d.code === 'invalid-value'));
  });

  test('CodeLens: Dry Run and Apply above the file, one lens per rule', async () => {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100);
    const by = (command: string) => lenses.filter((l) => l.command?.command === command);
    const dryRun = by('haloIdentity.dryRun');
    assert.equal(dryRun.length, 1);
    assert.equal(dryRun[0].range.start.line, 0);
    assert.match(dryRun[0].command!.title, /Dry Run/);
    assert.equal(by('haloIdentity.apply').length, vscode.workspace.isTrusted ? 1 : 0, 'Apply only in a trusted workspace');
    const rules = by('haloIdentity.showDiff');
    assert.deepEqual(
      rules.map((l) => l.range.start.line).sort((a, b) => a - b),
      ['rule: service-desk', 'rule: head-office-staff', 'rule: branch-staff'].map((r) => positionOf(r).line),
    );
    for (const l of rules) assert.match(l.command!.title, /^(matches \d+ identit|Dry Run to see matches|not in the last plan)/);
  });

  test('the outline lists the sections and the rules by name', async () => {
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', uri);
    const names = symbols.map((s) => s.name);
    for (const section of ['halo', 'entra', 'agents', 'users', 'fields']) assert.ok(names.includes(section), `no ${section} in ${names.join(', ')}`);
    const users = symbols.find((s) => s.name === 'users')!;
    assert.deepEqual(users.children.map((c) => c.name), ['head-office-staff', 'branch-staff']);
  });

  test('an untitled mapping is checked too', async () => {
    const untitled = await vscode.workspace.openTextDocument({ language: 'halo-identity', content: 'version: 2\n' });
    await vscode.window.showTextDocument(untitled);
    try {
      const problems = await waitFor('diagnostics of the untitled mapping', () => {
        const found = vscode.languages.getDiagnostics(untitled.uri);
        return found.length ? found : undefined;
      });
      assert.ok(problems.some((d) => d.message.includes('version must be 1')), problems.map((d) => d.message).join('\n'));
    } finally {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });
});

suite('bad-input corpus in the editor', () => {
  const fs = require('node:fs') as typeof import('node:fs');
  const path = require('node:path') as typeof import('node:path');
  const root = process.env.HALO_IDENTITY_TEST_ROOT ?? path.resolve(__dirname, '../../../..');
  const dir = path.join(root, 'test', 'fixtures', 'bad');
  const severity = (s: vscode.DiagnosticSeverity) => (s === vscode.DiagnosticSeverity.Error ? 'error' : s === vscode.DiagnosticSeverity.Warning ? 'warning' : 'info');

  test('shows the same positioned problems as `halo-identity validate` for every fixture', async function () {
    this.timeout(300_000);
    const fixtures = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml') && fs.existsSync(path.join(dir, f.replace(/\.yaml$/, '.expected'))));
    assert.ok(fixtures.length >= 60, `${fixtures.length} fixtures`);
    const mismatches: string[] = [];
    for (const f of fixtures) {
      const bytes = fs.readFileSync(path.join(dir, f));
      const content = new TextDecoder('utf-8').decode(bytes);
      if (content.includes('\uFFFD')) continue; // not UTF-8: the editor decodes it before we see it
      const expected = fs.readFileSync(path.join(dir, f.replace(/\.yaml$/, '.expected')), 'utf8').split('\n').filter(Boolean);
      const doc = await vscode.workspace.openTextDocument({ language: 'halo-identity', content: content.replace(/^\uFEFF/, '') });
      const shown = await waitFor(`diagnostics of ${f}`, () => {
        const d = vscode.languages.getDiagnostics(doc.uri);
        return d.length >= expected.length ? d : undefined;
      });
      const lines = shown.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1}: ${severity(d.severity)}: ${d.message}`);
      for (const e of expected) if (!lines.includes(e)) mismatches.push(`${f}: missing "${e}" (shown: ${lines.join(' | ')})`);
    }
    assert.deepEqual(mismatches, []);
  });
});
