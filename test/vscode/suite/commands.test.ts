// The commands end to end in a real VS Code, against the built-in simulators: activation on the
// fixture mapping, registration, validation, the diff panel, dry run, live re-planning on edits,
// credentials, Test Connections and the simulator lifecycle.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Plan } from '../../../src/core/changes';
import type { TestApi } from '../../../src/extension/extension';
import { activate, closeEditors, EXTENSION_ID, fixtureMapping, startFreshSimulator, told, waitFor, workspaceFolder } from './helpers';

suite('commands', () => {
  let api: TestApi;
  let sim: vscode.Uri;
  const scratch: vscode.Uri[] = [];

  suiteSetup(async () => {
    api = await activate();
  });

  teardown(() => api.testHooks.reset());

  suiteTeardown(async () => {
    api?.testHooks.reset();
    await vscode.commands.executeCommand('haloIdentity.stopSimulator');
    await closeEditors();
    for (const f of scratch) fs.rmSync(f.fsPath, { force: true });
  });

  test('activation on the fixture mapping registers every contributed command', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    assert.ok(extension.isActive);
    const contributed = (extension.packageJSON as { contributes: { commands: Array<{ command: string }> } }).contributes.commands.map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(contributed.filter((c) => !registered.has(c)), []);
  });

  test('Validate Mapping finds the fixture valid and says so', async () => {
    const result = await vscode.commands.executeCommand<{ errors: number; warnings: number }>('haloIdentity.validate', fixtureMapping());
    assert.ok(result, 'Validate returned nothing');
    assert.equal(result.errors, 0);
    const said = api.testHooks.prompts.find((p) => p.kind === 'info' && /is valid/.test(p.message));
    assert.ok(said, `no "valid" message; prompts: ${JSON.stringify(api.testHooks.prompts)}`);
  });

  test('Validate Mapping counts the errors of a broken mapping', async () => {
    const broken = vscode.Uri.joinPath(workspaceFolder(), 'broken.halo-identity.yaml');
    scratch.push(broken);
    fs.writeFileSync(broken.fsPath, fs.readFileSync(fixtureMapping().fsPath, 'utf8').replace('version: 1', 'version: 2').replace('rule: branch-staff', 'rule: head-office-staff'));
    const result = await vscode.commands.executeCommand<{ errors: number; warnings: number }>('haloIdentity.validate', broken);
    assert.ok(result && result.errors >= 1, `expected errors, got ${JSON.stringify(result)}`);
    assert.ok(api.testHooks.prompts.some((p) => p.kind === 'error' && /\d+ errors?/.test(p.message)));
  });

  test('Start Simulator writes and opens a mapping pointing at the simulators', async () => {
    sim = await startFreshSimulator();
    assert.equal(path.basename(sim.fsPath), 'halo-identity.yaml');
    assert.equal(path.basename(path.dirname(sim.fsPath)), 'halo-identity-sim');
    assert.ok(fs.existsSync(path.join(path.dirname(sim.fsPath), 'simulator-ca.pem')));
    await waitFor('the simulator mapping in the active editor', () => vscode.window.activeTextEditor?.document.uri.fsPath === sim.fsPath);
    assert.match(vscode.window.activeTextEditor!.document.getText(), /url: http:\/\/127\.0\.0\.1:\d+/);
  });

  test('Show Diff opens the panel with the plan of the simulated tenant', async () => {
    await vscode.commands.executeCommand('haloIdentity.showDiff', sim);
    assert.equal(api.panelMapping()?.fsPath, sim.fsPath, told(api));
    const plan = api.lastPlan(sim);
    assert.ok(plan, `no plan after Show Diff${told(api)}`);
    assert.ok(plan.changes.length > 0, 'a fresh simulated tenant should need changes');
    const isDiff = (t: vscode.Tab) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('haloIdentity.diff');
    // The workbench adds the tab a moment after the panel is created.
    await waitFor('the diff panel\'s tab', () => vscode.window.tabGroups.all.some((g) => g.tabs.some(isDiff)), 10_000).catch((e: Error) => {
      throw new Error(`${e.message}; tabs: ${vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => t.label)).join(', ')}`);
    });
  });

  test('Dry Run writes the plan JSON and Markdown beside the mapping', async () => {
    const result = await vscode.commands.executeCommand<{ json: string; markdown: string; changes: number }>('haloIdentity.dryRun', sim);
    assert.ok(result, `Dry Run returned nothing${told(api)}`);
    assert.equal(result.json, path.join(path.dirname(sim.fsPath), 'halo-identity.plan.json'));
    assert.equal(result.markdown, path.join(path.dirname(sim.fsPath), 'halo-identity.plan.md'));
    const written = JSON.parse(fs.readFileSync(result.json, 'utf8')) as Plan;
    assert.equal(written.version, 1);
    assert.equal(written.changes.length, result.changes);
    assert.deepEqual(written.summary, api.lastPlan(sim)?.summary);
    assert.match(fs.readFileSync(result.markdown, 'utf8'), /^# Halo Identity plan/);
    const notice = api.testHooks.prompts.find((p) => /^Dry run: /.test(p.message));
    assert.ok(notice?.items.includes('Open Markdown'), 'no dry-run notification offering to open the plan');
  });

  test('an edit of the mapping re-plans from the cached snapshots', async () => {
    const before = api.planInfo(sim);
    assert.ok(before);
    const editor = await vscode.window.showTextDocument(sim);
    const text = editor.document.getText();
    const at = text.indexOf('rule: service-desk');
    assert.ok(at >= 0, 'the simulator mapping has no service-desk rule');
    const start = editor.document.positionAt(at + 'rule: '.length);
    await editor.edit((e) => e.replace(new vscode.Range(start, start.translate(0, 'service-desk'.length)), 'front-line'));
    // A re-plan already under way may publish the old text first: wait for the edit's own plan.
    const rules = await waitFor('a re-plan with the renamed rule', () => {
      const names = api.lastPlan(sim)?.rules.map((r) => r.rule) ?? [];
      return names.includes('front-line') && names;
    });
    assert.ok(!rules.includes('service-desk'), `rules: ${rules.join(', ')}`);
    assert.equal(api.planInfo(sim)!.snapshotAt, before.snapshotAt, 'the edit read Entra and Halo again');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  test('Test Connections signs in to both simulated services and shows the Graph permissions', async () => {
    const checks = await vscode.commands.executeCommand<Array<{ side: string; ok: boolean; detail: string }>>('haloIdentity.testConnections', sim);
    assert.ok(checks, `Test Connections returned nothing${told(api)}`);
    assert.deepEqual(checks.map((c) => c.side).sort(), ['entra', 'halo']);
    for (const c of checks) assert.ok(c.ok, `${c.side}: ${c.detail}`);
    assert.match(checks.find((c) => c.side === 'entra')!.detail, /User\.Read\.All/);
  });

  test('Set Halo Credentials stores both values under the names the mapping references', async () => {
    const answers = ['fixture-client-id', 'fixture-client-secret'];
    api.testHooks.responder = (p) => (p.kind === 'input' ? answers.shift() : undefined);
    const result = await vscode.commands.executeCommand<{ stored: string[] }>('haloIdentity.setHaloCredentials', fixtureMapping());
    assert.deepEqual(result?.stored, ['HALO_CLIENT_ID', 'HALO_CLIENT_SECRET']);
    const secretPrompt = api.testHooks.prompts.filter((p) => p.kind === 'input')[1];
    assert.match(secretPrompt.message, /secret storage/);
    // The fixture says ${env:…}: switching to ${secret:…} is offered, not imposed.
    assert.ok(api.testHooks.prompts.some((p) => p.items.includes('Use ${secret:…} References')));
    assert.doesNotMatch(fs.readFileSync(fixtureMapping().fsPath, 'utf8'), /\$\{secret:/);
  });

  test('Set Directory Secrets stores each directory secret under its reference: a password typed, a key from a file', async () => {
    const file = vscode.Uri.joinPath(workspaceFolder(), 'directories.halo-identity.yaml');
    scratch.push(file);
    const text = fs.readFileSync(fixtureMapping().fsPath, 'utf8').replace(/\nagents:/, [
      '',
      'okta:',
      '  - { name: customers, orgUrl: "https://fabrikam.okta.com", clientId: 0oa1, privateKey: "${secret:OKTA_KEY}" }',
      'ldap:',
      '  - { name: branch, url: "ldaps://dc1.corp.example", bindDn: "cn=reader,dc=corp", bindPassword: "${secret:LDAP_PASSWORD}", baseDn: "dc=corp" }',
      'agents:',
    ].join('\n'));
    fs.writeFileSync(file.fsPath, text.replace(/^(  - rule: .*)$/gm, '$1\n    tenant: contoso'));
    const keyFile = vscode.Uri.joinPath(workspaceFolder(), 'okta-key.pem');
    scratch.push(keyFile);
    fs.writeFileSync(keyFile.fsPath, '-----BEGIN PRIVATE KEY-----\nnot-a-real-key\n-----END PRIVATE KEY-----\n');
    api.testHooks.responder = (p) => (p.kind === 'pick' ? p.items.find((i) => i === 'LDAP_PASSWORD') : p.kind === 'input' ? 'ldap-secret-value' : undefined);
    assert.deepEqual(await vscode.commands.executeCommand('haloIdentity.setDirectorySecrets', file), { stored: ['LDAP_PASSWORD'] });
    api.testHooks.responder = (p) => (p.kind === 'pick' ? p.items.find((i) => i === 'OKTA_KEY') : p.kind === 'openFile' ? keyFile.toString() : undefined);
    assert.deepEqual(await vscode.commands.executeCommand('haloIdentity.setDirectorySecrets', file), { stored: ['OKTA_KEY'] });
    const picks = api.testHooks.prompts.filter((p) => p.kind === 'pick').flatMap((p) => p.items);
    assert.ok(['OKTA_KEY', 'LDAP_PASSWORD'].every((n) => picks.includes(n)), picks.join(', '));
    const log = api.testHooks.log.join('\n');
    assert.match(log, /Stored secret LDAP_PASSWORD/);
    assert.ok(!log.includes('ldap-secret-value') && !log.includes('not-a-real-key'), 'a secret is in the log');
  });

  test('Sign in to Entra with a client secret stores it under the name the mapping references', async () => {
    api.testHooks.responder = (p) => (p.kind === 'pick' ? p.items.find((i) => /Client secret/.test(i)) : p.kind === 'input' ? 'entra-secret-value' : undefined);
    const result = await vscode.commands.executeCommand('haloIdentity.signInEntra', fixtureMapping());
    assert.deepEqual(result, { connection: 'contoso', method: 'secret', stored: 'ENTRA_CLIENT_SECRET' });
    const methods = api.testHooks.prompts.find((p) => p.kind === 'pick')?.items ?? [];
    assert.equal(methods.length, 4, `sign-in methods offered: ${methods.join(', ')}`);
  });

  test('stored secrets never reach the log', async () => {
    const answers = ['fixture-client-id', 'another-halo-secret'];
    api.testHooks.responder = (p) => (p.kind === 'input' ? answers.shift() : undefined);
    await vscode.commands.executeCommand('haloIdentity.setHaloCredentials', fixtureMapping());
    await vscode.commands.executeCommand('haloIdentity.validate', fixtureMapping());
    const log = api.testHooks.log.join('\n');
    assert.match(log, /Stored secret HALO_CLIENT_SECRET/);
    for (const secret of ['another-halo-secret', 'entra-secret-value']) assert.ok(!log.includes(secret), `${secret} is in the log:\n${log}`);
  });

  test('Show Diff of a real tenant is refused in an untrusted workspace: it would send credentials', async () => {
    api.testHooks.trusted = false;
    await vscode.commands.executeCommand('haloIdentity.showDiff', fixtureMapping());
    const refusal = api.testHooks.prompts.find((p) => p.kind === 'error');
    assert.match(refusal?.message ?? '', /needs a trusted workspace/);
    assert.ok(refusal?.items.includes('Manage Workspace Trust'));
    assert.equal(api.lastPlan(fixtureMapping()), undefined);
  });

  test('Open Journal without any apply says there is none', async () => {
    const file = await vscode.commands.executeCommand<string | undefined>('haloIdentity.openJournal', sim);
    assert.equal(file, undefined);
    assert.ok(api.testHooks.prompts.some((p) => /No apply journal yet/.test(p.message)));
  });

  test('New Mapping File writes the example with the instance left blank', async () => {
    const target = vscode.Uri.joinPath(workspaceFolder(), 'scratch.halo-identity.yaml');
    scratch.push(target);
    api.testHooks.responder = (p) => (p.kind === 'pick' ? 'Create another mapping file…' : p.kind === 'input' ? 'scratch' : undefined);
    const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>('haloIdentity.newMapping');
    assert.equal(uri?.fsPath, target.fsPath);
    const text = fs.readFileSync(target.fsPath, 'utf8');
    assert.match(text, /^version: 1$/m);
    assert.match(text, /^\s+url: ""/m);
    assert.match(text, /^\s+tenantId: ""/m);
    assert.doesNotMatch(text, /contoso\.halopsa\.com/);
  });

  test('Sign in to Entra with a device code: the person signs in at the page, and the snapshots are read as them', async () => {
    // Without the app's secret, only the person's sign-in can read Entra.
    const original = fs.readFileSync(sim.fsPath, 'utf8');
    const edited = original.replace('${env:ENTRA_CLIENT_SECRET}', '${env:HALO_IDENTITY_TEST_UNSET}');
    assert.notEqual(edited, original, 'the simulator mapping names no ENTRA_CLIENT_SECRET');
    const ca = fs.readFileSync(path.join(path.dirname(sim.fsPath), 'simulator-ca.pem'), 'utf8');
    fs.writeFileSync(sim.fsPath, edited);
    try {
      // What the person does: open the page shown, enter the code, sign in.
      let signedIn: Promise<number> | undefined;
      api.testHooks.responder = (p) => {
        if (p.kind === 'pick') return p.items.find((i) => /Device code/.test(i));
        const shown = /open (https:\S+) and enter the code ([A-Z0-9]+)\./.exec(p.message);
        if (shown) signedIn ??= postForm(shown[1], { code: shown[2] }, ca);
        return undefined;
      };
      const result = await vscode.commands.executeCommand<{ connection: string; method: string; account: string }>('haloIdentity.signInEntra', sim);
      assert.equal(await signedIn, 200, `the code was never shown${told(api)}`);
      assert.equal(result?.method, 'device-code', told(api));
      assert.match(result.account, /@/);
      await vscode.commands.executeCommand('haloIdentity.refreshSnapshots', sim);
      assert.ok(api.lastPlan(sim)?.changes.length, `no plan read with the delegated sign-in${told(api)}`);
      assert.ok(api.testHooks.log.some((l) => /reading with the delegated sign-in of/.test(l)), told(api));
    } finally {
      fs.writeFileSync(sim.fsPath, original);
    }
  });

  test('Stop Simulator stops the simulators and drops the snapshots read from them', async () => {
    assert.equal(await vscode.commands.executeCommand('haloIdentity.stopSimulator'), true);
    assert.equal(api.lastPlan(sim), undefined, 'the stopped simulators\' snapshots were kept');
    assert.equal(await vscode.commands.executeCommand('haloIdentity.stopSimulator'), false);
    // Its mapping is still there; reading it fails at once and offers to start the simulators.
    await vscode.commands.executeCommand('haloIdentity.refreshSnapshots', sim);
    const failure = api.testHooks.prompts.find((p) => p.kind === 'error');
    assert.match(failure?.message ?? '', /simulators are not running/);
    assert.ok(failure?.items.includes('Start Simulator'));
  });
});

/** A form POST over HTTPS trusting `ca`; resolves with the status. */
function postForm(url: string, form: Record<string, string>, ca: string): Promise<number> {
  const body = new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'POST', ca, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}
