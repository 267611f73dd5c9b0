// Apply end to end in a real VS Code against the simulators: refused without trust, nothing
// written when the confirmation is declined, Apply Selected writes only the chosen change, and a
// confirmed Apply converges (the plan read afterwards is empty) with a journal to open; Revert
// undoes an apply through the same confirmation; Refresh Snapshots reads Entra incrementally; an
// access review's revoke is saved, applied and journalled.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { changeKey } from '../../../src/core/changes';
import type { ApplyOutcome } from '../../../src/extension/commands/apply';
import type { TestApi } from '../../../src/extension/extension';
import { accept, activate, closeEditors, journalsIn, startFreshSimulator, told } from './helpers';

const MODAL_BUTTONS = ['Save and Apply', 'Apply', 'Continue…', 'Apply over the threshold'];

suite('apply', () => {
  let api: TestApi;
  let sim: vscode.Uri;

  suiteSetup(async () => {
    api = await activate();
    sim = await startFreshSimulator();
    await vscode.commands.executeCommand('haloIdentity.showDiff', sim);
    assert.ok(api.lastPlan(sim)?.changes.length, `no plan with changes for the simulated tenant${told(api)}`);
  });

  teardown(() => api.testHooks.reset());

  suiteTeardown(async () => {
    api?.testHooks.reset();
    await vscode.commands.executeCommand('haloIdentity.stopSimulator');
    await closeEditors();
  });

  test('Apply is refused in an untrusted workspace, before anything is read or written', async () => {
    api.testHooks.trusted = false;
    api.testHooks.responder = accept(...MODAL_BUTTONS);
    const outcome = await vscode.commands.executeCommand<ApplyOutcome | undefined>('haloIdentity.apply', sim);
    assert.equal(outcome, undefined);
    assert.ok(!api.testHooks.prompts.some((p) => p.modal), 'a confirmation was asked although Apply is refused');
    const refusal = api.testHooks.prompts.find((p) => p.kind === 'error');
    assert.match(refusal?.message ?? '', /untrusted workspace/);
    assert.ok(refusal?.items.includes('Manage Workspace Trust'));
    assert.deepEqual(journalsIn(sim), []);
  });

  test('Apply Selected is refused in an untrusted workspace too', async () => {
    api.testHooks.trusted = false;
    const key = changeKey(api.lastPlan(sim)!.changes[0]);
    const outcome = await vscode.commands.executeCommand<ApplyOutcome | undefined>('haloIdentity.applySelected', [key], sim);
    assert.equal(outcome, undefined);
    assert.match(api.testHooks.prompts.find((p) => p.kind === 'error')?.message ?? '', /untrusted workspace/);
  });

  test('declining the confirmation writes nothing', async () => {
    api.testHooks.responder = () => undefined;
    const outcome = await vscode.commands.executeCommand<ApplyOutcome | undefined>('haloIdentity.apply', sim);
    assert.equal(outcome, undefined);
    const asked = api.testHooks.prompts.find((p) => p.modal);
    assert.ok(asked, 'no confirmation was asked');
    assert.match(asked.message, /write \d+ changes? to Halo\?/);
    assert.match(asked.detail ?? '', /to create, .* to update, .* to reactivate, .* to deactivate(, .*)?; \d+ unchanged/);
    assert.match(asked.detail ?? '', /safety threshold|No safety thresholds/);
    assert.deepEqual(journalsIn(sim), []);
  });

  test('Apply Selected writes only the chosen change', async () => {
    const plan = api.lastPlan(sim)!;
    const chosen = plan.changes.find((c) => c.kind === 'agent' && c.action === 'create') ?? plan.changes.find((c) => c.action === 'update');
    assert.ok(chosen, 'no agent create or update to choose');
    api.testHooks.responder = accept(...MODAL_BUTTONS);
    const outcome = await vscode.commands.executeCommand<ApplyOutcome | undefined>('haloIdentity.applySelected', [changeKey(chosen)], sim);
    assert.ok(outcome, `Apply Selected returned nothing; ${told(api)}`);
    assert.equal(outcome.applied, 1);
    assert.equal(outcome.failed, 0);
    assert.equal(outcome.remaining, plan.changes.length - 1);
    const asked = api.testHooks.prompts.find((p) => p.modal);
    assert.match(asked?.message ?? '', /write 1 change to Halo\?/);
    assert.equal(journalsIn(sim).length, 1);
  });

  test('a confirmed Apply writes every change and the plan read afterwards is empty', async () => {
    api.testHooks.responder = accept(...MODAL_BUTTONS);
    const outcome = await vscode.commands.executeCommand<ApplyOutcome | undefined>('haloIdentity.apply', sim);
    assert.ok(outcome, `Apply returned nothing; ${told(api)}`);
    assert.ok(outcome.applied > 0);
    assert.equal(outcome.failed, 0);
    assert.equal(outcome.stale, 0);
    assert.equal(outcome.cancelled, false);
    assert.equal(outcome.remaining, 0, 'the plan after Apply still has changes');
    assert.equal(api.lastPlan(sim)?.changes.length, 0);
    const done = api.testHooks.prompts.find((p) => p.kind === 'info' && /applied/.test(p.message));
    assert.ok(done?.items.includes('Open Journal'), 'the outcome message offers no journal');
    assert.equal(journalsIn(sim).length, 2);
  });

  test('Apply with nothing left to do says so and asks nothing', async () => {
    api.testHooks.responder = accept(...MODAL_BUTTONS);
    const outcome = await vscode.commands.executeCommand<ApplyOutcome | undefined>('haloIdentity.apply', sim);
    assert.equal(outcome, undefined);
    assert.ok(!api.testHooks.prompts.some((p) => p.modal));
    assert.ok(api.testHooks.prompts.some((p) => /Nothing to apply/.test(p.message)));
  });

  test('Open Journal opens the latest apply journal', async () => {
    const file = await vscode.commands.executeCommand<string | undefined>('haloIdentity.openJournal', sim);
    assert.ok(file?.endsWith('.jsonl'), `Open Journal returned ${file}`);
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, file);
    const lines = vscode.window.activeTextEditor!.document.getText().trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    assert.equal(lines[0].type, 'start');
    assert.equal(lines[lines.length - 1].type, 'end');
  });

  test('Revert of the Apply Selected journal shows the inverse in the panel, asks as Apply does, and writes it', async () => {
    const first = path.join(path.dirname(sim.fsPath), '.halo-identity', 'journals', journalsIn(sim).sort()[0]);
    api.testHooks.responder = accept(...MODAL_BUTTONS);
    const outcome = await vscode.commands.executeCommand<ApplyOutcome | undefined>('haloIdentity.revert', first, sim);
    assert.ok(outcome, `Revert returned nothing; ${told(api)}`);
    assert.equal(outcome.applied, 1);
    assert.equal(outcome.failed + outcome.stale, 0);
    const asked = api.testHooks.prompts.find((p) => p.modal);
    assert.match(asked?.message ?? '', /^Revert: write 1 change to Halo\?/);
    assert.match(asked?.detail ?? '', new RegExp(`The inverse of ${path.basename(first).replace(/[.]/g, '\\.')}: `));
    assert.equal(api.panelMapping()?.toString(), sim.toString(), 'the panel shows the revert');
    // Afterwards the panel is back on the mapping's plan, read afresh: the reverted change is planned again.
    assert.equal(api.lastPlan(sim)?.changes.length, 1);
    assert.equal(journalsIn(sim).length, 3);
  });

  test('Refresh Snapshots reads Entra from the delta cache beside the mapping; Full Re-read reads it all', async () => {
    const cacheDir = path.join(path.dirname(sim.fsPath), '.halo-identity', 'entra');
    fs.rmSync(cacheDir, { recursive: true, force: true });
    await vscode.commands.executeCommand('haloIdentity.refreshSnapshots', sim);
    const cache = path.join(cacheDir, fs.readdirSync(cacheDir)[0]);
    const written = fs.statSync(cache).mtimeMs;
    const plan = JSON.stringify(api.lastPlan(sim));
    await vscode.commands.executeCommand('haloIdentity.refreshSnapshotsFull', sim);
    assert.equal(fs.statSync(cache).mtimeMs, written, 'a full re-read does not go through the cache');
    assert.equal(JSON.stringify(api.lastPlan(sim)), plan, 'the same plan either way');
    await new Promise((r) => setTimeout(r, 20));
    await vscode.commands.executeCommand('haloIdentity.refreshSnapshots', sim);
    assert.ok(fs.statSync(cache).mtimeMs > written, 'the incremental read brought the cache up to date');
    assert.equal(JSON.stringify(api.lastPlan(sim)), plan);
  });

  test('Access Review: mark a hand-granted role revoke, save the signed-off sheet and apply it; the journal shows the removal', async () => {
    api.testHooks.responder = (p) => (p.kind === 'input' ? 'Rita Reviewer' : accept(...MODAL_BUTTONS)(p));
    const data = await vscode.commands.executeCommand<{ kind: string; report: { rows: Array<{ kind: string; haloId: number; grantType: string; grant: string; provenance: string[] }> } } | undefined>('haloIdentity.showReport', 'access', sim);
    assert.equal(data?.kind, 'access', `no access review; ${told(api)}`);
    const hand = data!.report.rows.find((r) => r.kind === 'agent' && r.grantType === 'role' && r.provenance[0] === 'not granted by the mapping');
    assert.ok(hand, 'a role granted by hand in the simulated Halo');
    const view = api.reportView();
    assert.ok(view, 'the report view is open');
    const journalsBefore = journalsIn(sim).length;
    const saved = (await view.send({ type: 'saveReview', apply: true, marks: [{ kind: 'agent', haloId: hand.haloId, grantType: 'role', grant: hand.grant, decision: 'revoke' }] })) as { file: string; outcome?: ApplyOutcome } | undefined;
    assert.ok(saved?.file && fs.existsSync(saved.file), `no review sheet saved; ${told(api)}`);
    assert.match(fs.readFileSync(saved.file, 'utf8'), new RegExp(`,${hand.grant},[^\\r\\n]*,revoke,Rita Reviewer,\\d{4}-`));
    assert.equal(saved.outcome?.applied, 1, `the revoke was not applied; ${told(api)}`);
    const asked = api.testHooks.prompts.find((p) => p.modal);
    assert.match(asked?.message ?? '', /^Apply Access Review: write 1 change to Halo\?/);
    const names = journalsIn(sim).sort();
    assert.equal(names.length, journalsBefore + 1);
    const journal = fs.readFileSync(path.join(path.dirname(sim.fsPath), '.halo-identity', 'journals', names.at(-1)!), 'utf8');
    assert.ok(journal.includes(`"remove":["${hand.grant}"]`), 'the journal records the removal');
    fs.rmSync(saved.file);
  });
});
