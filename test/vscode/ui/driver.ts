// Driving the code-server workbench with Playwright: a fresh profile with the .vsix installed,
// the command palette, notifications and the webview's nested iframes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BrowserContext, FrameLocator, Page } from 'playwright-core';
import { CodeServer, copyFixture, harness, vsixPath } from '../harness';

export interface Workbench {
  page: Page;
  server: CodeServer;
  /** The opened folder: a scratch copy of test/vscode/workspace. */
  folder: string;
  extensionsDir: string;
  close(): Promise<void>;
}

/** code-server with the packaged extension installed, and the fixture folder open in Chromium. */
export async function openWorkbench(fixture: string, browser: Record<string, unknown> = {}): Promise<Workbench> {
  const vsix = vsixPath();
  if (!fs.existsSync(vsix)) throw new Error(`${vsix} is missing: run \`npm run package\` first`);
  const dir = harness.scratch('ui');
  const folder = path.join(dir, 'workspace');
  copyFixture(fixture, folder);
  const profile = { home: path.join(dir, 'home'), userDataDir: path.join(dir, 'user-data'), extensionsDir: path.join(dir, 'extensions') };
  let server: CodeServer | undefined;
  let context: BrowserContext | undefined;
  const close = async () => {
    await context?.close().catch(() => {});
    await server?.stop();
    if (!process.env.HALO_VSCODE_KEEP) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  try {
    await harness.codeServerCli(['--install-extension', vsix], profile);
    server = await harness.startCodeServer(profile);
    context = await harness.launchChromium(path.join(dir, 'chromium'), browser);
    const page = context.pages()[0] ?? await context.newPage();
    page.setDefaultTimeout(30_000);
    await page.goto(`${server.url}/?folder=${encodeURIComponent(folder)}`, { timeout: 120_000 });
    await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
    await page.locator('.statusbar').waitFor();
    // The explorer lists the folder once the remote file system answers: the workbench is usable.
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
    return { page, server, folder, extensionsDir: profile.extensionsDir, close };
  } catch (e) {
    await close();
    throw e;
  }
}

// The palette lists what is known when it opens: right after start-up the remote extension host may
// not have registered the extension's contributions yet, so a missing row means close and reopen.
async function palette(page: Page, text: string, row: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input').first();
    await input.waitFor({ state: 'visible' });
    await input.fill(text);
    const match = page.locator('.quick-input-list .monaco-list-row', { hasText: row }).first();
    try {
      await match.waitFor({ timeout: 5_000 });
      break;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`no "${row}" in the palette after ${timeoutMs} ms: ${(e as Error).message}`);
    }
  }
  await page.keyboard.press('Enter');
}

/** F1, the command's palette title (category included), Enter. */
export function runCommand(page: Page, title: string): Promise<void> {
  return palette(page, `>${title}`, title);
}

/** Opens a workspace file through Quick Open. */
export async function openFile(page: Page, name: string): Promise<void> {
  await palette(page, name, name);
  await page.locator('.tabs-container .tab.active', { hasText: name }).waitFor();
}

/** A notification toast whose text matches. */
export function notification(page: Page, text: string | RegExp) {
  return page.locator('.notifications-toasts .notification-toast', { hasText: text });
}

/** The document inside the (only) webview: VS Code nests it two iframes deep. */
export function webview(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(harness.paths.artifacts, { recursive: true });
  const file = path.join(harness.paths.artifacts, name);
  await page.screenshot({ path: file });
  return file;
}
