// The packaged extension in a real workbench (code-server in headless Chromium), driven the way a
// person would: the palette, the editor, the walkthrough, and the diff panel's webview.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { root } from '../harness';
import { notification, openFile, openWorkbench, runCommand, screenshot, webview, type Workbench } from './driver';
import { startSimulators, writeSimulatorFiles } from '../../../src/sim';
import { readMappingFile, validMapping } from '../../../src/engine/mapping-file';
import { connect } from '../../../src/engine/connections';
import { planWith } from '../../../src/engine/run';

const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
let wb: Workbench;
let page: Page;

before(async () => {
  wb = await openWorkbench(path.join(root, 'test', 'vscode', 'workspace'));
  page = wb.page;
});

after(async () => {
  await wb?.close();
});

/** A screenshot of the workbench when a step fails, to see what the page showed. */
async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const file = await screenshot(page, `vscode-failed-${name}.png`).catch(() => undefined);
    if (file && e instanceof Error) e.message += `\n(screenshot: ${file})`;
    throw e;
  }
}

test('the fixture mapping opens in the Halo Identity language, with Show Diff in the editor title', () => step('mapping', async () => {
  await openFile(page, 'halo-identity.yaml');
  await page.locator('[id="status.editor.mode"]', { hasText: 'Halo Identity Mapping' }).waitFor();
  await page.locator('.editor-actions .action-label[aria-label*="Show Diff"]').waitFor();
}));

test('the walkthrough lists its steps', () => step('walkthrough', async () => {
  await runCommand(page, 'Welcome: Open Walkthrough');
  const title = manifest.contributes.walkthroughs[0].title as string;
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().click();
  const container = page.locator('.gettingStartedContainer');
  for (const { title: stepTitle } of manifest.contributes.walkthroughs[0].steps as { title: string }[]) {
    await container.getByText(stepTitle, { exact: true }).first().waitFor();
  }
  await runCommand(page, 'View: Close All Editors');
}));

/** What the panel must show: the same plan, computed here from the same simulated world. */
async function expectedCounts(): Promise<Record<string, number>> {
  const users = manifest.contributes.configuration.properties['haloIdentity.simulator.users'].default as number;
  const sims = await startSimulators({ worldOptions: { users, seed: 1 } });
  const dir = fs.mkdtempSync(path.join(wb.folder, '..', 'expected-'));
  try {
    const m = readMappingFile(writeSimulatorFiles(sims, dir));
    const conns = await connect(validMapping(m), { baseDir: m.baseDir, lookup: (kind, name) => (kind === 'env' ? sims.env[name] : undefined) });
    try {
      const { plan } = await planWith(conns, {});
      return { ...plan.summary, errors: plan.errors.length, orphans: plan.orphans.length };
    } finally {
      conns.close();
    }
  } finally {
    await sims.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function shownCounts(): Promise<Record<string, number>> {
  const frame = webview(page);
  const items = frame.locator('[role="group"][aria-label="Summary"] [data-count]');
  const out: Record<string, number> = {};
  for (const item of await items.all()) {
    const key = (await item.getAttribute('data-count'))!;
    const digits = /([\d,]+)\s*$/.exec((await item.innerText()).trim());
    out[key] = digits ? Number(digits[1].replace(/,/g, '')) : NaN;
  }
  return out;
}

test('Start Simulator, then Show Diff: the panel shows the plan of the simulated tenant', async (t) => {
  const bundle = fs.readFileSync(path.join(wb.extensionsDir, `halo-identity.halo-identity-${manifest.version}`, 'dist', 'extension.js'), 'utf8');
  if (!bundle.includes('haloIdentity.startSimulator')) {
    t.skip('the packaged extension does not register haloIdentity.startSimulator yet');
    return;
  }
  const expected = await expectedCounts();
  t.diagnostic(`expected counts: ${JSON.stringify(expected)}`);

  await step('diff', async () => {
    await runCommand(page, 'Halo Identity: Start Simulator');
    await notification(page, /Simulators running/).waitFor({ timeout: 120_000 });
    await runCommand(page, 'Halo Identity: Show Diff');
    const failed = notification(page, /Show Diff failed|Planning failed/);

    const frame = webview(page);
    const rows = frame.locator('[role="tree"] [role="treeitem"]');
    await Promise.race([
      rows.first().waitFor({ timeout: 120_000 }),
      failed.waitFor({ timeout: 120_000 }).then(async () => {
        const message = await failed.first().locator('.notification-list-item-message').innerText().catch(() => '');
        throw new Error(`the extension reported: ${message || await failed.first().innerText()}`);
      }),
    ]);
    // The panel opens at once and fills when both sides are read and planned.
    let shown: Record<string, number> = {};
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      shown = await shownCounts();
      if (Object.keys(expected).every(k => shown[k] === expected[k])) break;
      await page.waitForTimeout(500);
    }
    t.diagnostic(`shown counts: ${JSON.stringify(shown)}`);
    for (const [k, v] of Object.entries(expected)) assert.equal(shown[k], v, `count ${k}`);
    assert.ok(expected.create > 0, 'the simulated tenant should need creates');
    const total = expected.create + expected.update + expected.reactivate + expected.deactivate + expected.createSite;
    await frame.getByText(`${total} changes`, { exact: true }).waitFor();

    const texts = (await rows.allInnerTexts()).map(s => s.replace(/\s+/g, ' ').trim());
    t.diagnostic(`first rows: ${texts.slice(0, 8).join(' | ')}`);
    assert.ok(texts.some(s => s.includes('To create') && s.endsWith(` ${expected.create}`)), `no "To create ${expected.create}" section: ${texts.slice(0, 12).join(' | ')}`);
    assert.ok(texts.some(s => /^\+ .+ (user|agent) \S+@\S+/.test(s)), `no identity row to create: ${texts.slice(0, 12).join(' | ')}`);

    const file = await screenshot(page, 'vscode-diff.png');
    t.diagnostic(`screenshot: ${file}`);
  });
});
