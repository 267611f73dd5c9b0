// The README's and the Marketplace's pictures, taken from the real thing: the packaged extension in
// code-server + headless Chromium (the UI tests' driver), against the built-in simulators.
//   npm run screenshots                                   (into media/screenshots/)
//   node out/test/vscode/screenshots.js [--out DIR]       (after npm run package and a test build)
// Each picture is checked in the page before it is taken (the panel's rows, the suggest widget with
// its documentation, the dialog, the report's table), so a picture never shows something else.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { root } from './harness';
import { decode, encodeIndexed } from './png';
import { notification, openWorkbench, runCommand, screenshot, webview } from './ui/driver';

/** One size for every picture: wide enough for the editor beside the panel, small files. */
export const VIEWPORT = { width: 1400, height: 900 } as const;

export interface Shot {
  name: string;
  /** What it shows, for the log and the README's alt text. */
  what: string;
}

export const SHOTS: readonly Shot[] = [
  { name: 'diff-panel.png', what: 'the diff panel beside the mapping, with the CodeLens above each rule' },
  { name: 'completion.png', what: 'completion of the keys a user rule may take, with their documentation' },
  { name: 'apply-confirmation.png', what: "Apply's confirmation: the counts, the Halo host, the threshold and the journal" },
  { name: 'access-review.png', what: 'the Access Review report: every grant with the rule and group that gives it' },
];

export interface Taken extends Shot {
  file: string;
  bytes: number;
}

const SIM_MAPPING = path.join('halo-identity-sim', 'halo-identity.yaml');

export async function takeScreenshots(outDir: string, log: (line: string) => void = () => {}): Promise<Taken[]> {
  fs.mkdirSync(outDir, { recursive: true });
  const taken: Taken[] = [];
  const started = Date.now();
  const wb = await openWorkbench(path.join(root, 'test', 'vscode', 'workspace'), { viewport: VIEWPORT, deviceScaleFactor: 1 });
  const { page } = wb;
  log(`workbench open in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  /** Takes the picture once `showing` is visible, and checks it still is afterwards. */
  const shoot = async (name: string, showing: Locator) => {
    const shot = SHOTS.find((s) => s.name === name)!;
    await settle(page);
    await showing.waitFor({ timeout: 5_000 });
    const file = path.join(outDir, name);
    // Chromium's PNG in 256 colours: a third of the bytes, the difference invisible (see png.ts).
    const png = encodeIndexed(decode(await page.screenshot()));
    if (!(await showing.isVisible())) throw new Error(`${name}: what it shows went away while it was taken`);
    fs.writeFileSync(file, png);
    taken.push({ ...shot, file, bytes: png.length });
    log(`${name}: ${shot.what} (${png.length} bytes, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  };
  try {
    await runCommand(page, 'View: Close Primary Side Bar');

    // Start Simulator, Show Diff: the panel beside the mapping, the rule lenses filled in.
    await runCommand(page, 'Halo Identity: Start Simulator');
    await notification(page, /Simulators running/).waitFor({ timeout: 120_000 });
    await runCommand(page, 'Halo Identity: Show Diff');
    const frame = webview(page);
    await frame.locator('[role="tree"] [role="treeitem"]').nth(5).waitFor({ timeout: 120_000 });
    await frame.getByText(/^\d[\d,]* changes$/).waitFor({ timeout: 60_000 });
    // The lens above a rule says what the last plan found for it: wait for the plan's numbers.
    await page.locator('.monaco-editor .codelens-decoration', { hasText: /Dry Run/ }).first().waitFor();
    await page.locator('.monaco-editor .codelens-decoration', { hasText: /\d/ }).first().waitFor({ timeout: 60_000 });
    await clearNotifications(page);
    await shoot('diff-panel.png', frame.locator('[role="tree"] [role="treeitem"]').nth(5));

    // Apply's confirmation, read from a fresh plan; cancelled, never confirmed.
    await focusMapping(page);
    await runCommand(page, 'Halo Identity: Apply');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 120_000 });
    await dialog.getByText(/write \d+ changes? to Halo\?/).waitFor();
    // The read's progress toast goes once the read is done; the dialog is modal, so no palette here.
    await page.locator('.notifications-toasts .notification-toast').first().waitFor({ state: 'hidden' }).catch(() => {});
    await shoot('apply-confirmation.png', dialog);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });

    // Completion in a user rule: the keys it may still take (clientFrom, siteDefault…), each with
    // the schema's documentation beside the list.
    await focusMapping(page);
    await runCommand(page, 'View: Close Editors in Other Groups');
    // Sticky scroll would pin a half line of the section above over the editor's top.
    await runCommand(page, 'View: Toggle Editor Sticky Scroll');
    const text = fs.readFileSync(path.join(wb.folder, SIM_MAPPING), 'utf8').split('\n');
    const line = text.findIndex((l) => /^\s+roles: \[ ?End User ?\]/.test(l));
    if (line < 0) throw new Error(`no "roles: [End User]" line in ${SIM_MAPPING}`);
    await clearNotifications(page);
    await goTo(page, line + 1, text[line].length + 1);
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+Space');
    const suggest = page.locator('.editor-widget.suggest-widget');
    await suggest.locator('.monaco-list-row').nth(3).waitFor();
    if (!(await suggest.evaluate((el) => el.classList.contains('shows-details')))) await page.keyboard.press('Control+Space');
    await page.locator('.suggest-details-container .suggest-details .docs').first().waitFor();
    await page.locator('.suggest-details-container .suggest-details', { hasText: /\w{4,}/ }).first().waitFor();
    // The documentation pane is as tall as the list: drag its lower edge down so the whole text shows.
    const sash = page.locator('.suggest-details-container .monaco-sash.horizontal.orthogonal-edge-south');
    if (await sash.count()) {
      const box = (await sash.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width / 2, box.y + 80, { steps: 8 });
      await page.mouse.up();
    }
    await shoot('completion.png', page.locator('.suggest-details-container .suggest-details .docs').first());
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+Z');

    // The Access Review report of the same mapping.
    await runCommand(page, 'Halo Identity: Show Report…');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Access review' }).first().click();
    const report = webview(page);
    await report.locator('.table .row').nth(5).waitFor({ timeout: 120_000 });
    await report.locator('#chart[aria-label]').waitFor({ timeout: 60_000 });
    await clearNotifications(page);
    await shoot('access-review.png', report.locator('.table .row').nth(5));
  } catch (e) {
    // What the page showed when a step failed.
    const file = await screenshot(page, 'screenshots-failed.png').catch(() => undefined);
    if (file && e instanceof Error) e.message += `\n(screenshot: ${file})`;
    throw e;
  } finally {
    await wb.close();
  }
  return taken;
}

/** The mapping's editor has the focus (Apply, Show Report and completion act on it). */
async function focusMapping(page: Page): Promise<void> {
  await runCommand(page, 'View: Focus First Editor Group');
  await page.locator('.editor-group-container.active .tabs-container .tab.active', { hasText: 'halo-identity.yaml' }).waitFor();
}

async function goTo(page: Page, line: number, column: number): Promise<void> {
  await runCommand(page, 'Go to Line/Column...');
  const input = page.locator('.quick-input-widget input').first();
  await input.fill(`:${line}:${column}`);
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

/** No toasts over the picture (the simulators' notice, code-server's gallery error). */
async function clearNotifications(page: Page): Promise<void> {
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.locator('.notifications-toasts .notification-toast').first().waitFor({ state: 'hidden' }).catch(() => {});
}

/** Hovers, blinking cursors and the palette out of the way; a frame for layout to finish. */
async function settle(page: Page): Promise<void> {
  await page.mouse.move(VIEWPORT.width - 2, VIEWPORT.height / 2);
  await page.waitForTimeout(600);
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--out');
  const outDir = path.resolve(i >= 0 ? process.argv[i + 1] : path.join(root, 'media', 'screenshots'));
  const t0 = Date.now();
  const taken = await takeScreenshots(outDir, (l) => console.log(`screenshots: ${l}`));
  console.log(`screenshots: ${taken.length} pictures in ${path.relative(process.cwd(), outDir) || '.'} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.stack : e);
    process.exit(1);
  });
}
