// The diff panel (dist/webview) in headless Chromium, served as the host serves it (panelHtml,
// strict CSP) with a fake acquireVsCodeApi, as test/webview/panel.test.ts does. The plan is posted
// as the host posts it: stateMessages() (a large plan as a first part, the rest 50 ms behind).
// First paint: a fresh page, from the first post to the frame after the first rows are in the DOM;
// complete: to the frame after the rest is in. Filter: from the filter's start to the frame after.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PanelState, stateMessages } from '../webview/protocol';
import { makeNonce, panelHtml } from '../webview/html';
import { FixtureCounts, makePlan } from '../test/webview/plan-fixture';
import { ROOT } from './lib';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const DIST = join(ROOT, 'dist', 'webview');

export interface WebviewResult {
  rows: number;
  planMB: number;
  /** postMessage of the state to the frame after its rows are rendered (structured clone included). */
  firstPaintMs: number[];
  /** The app's own share: the decoded message to the frame after render. */
  firstPaintAppMs: number[];
  /** From the first post to the frame after every row is in (the rest of a split plan included). */
  completeMs: number[];
  /** Filter changes (action, kind, back to all): start of filtering to the frame after. */
  filterMs: number[];
  searchMs: number[];
  /** A re-planned 10 000-change plan posted to an open panel: post to the frame after render. */
  updateMs: number[];
}

export function webviewAvailable(): string | null {
  if (!existsSync(join(DIST, 'main.js'))) return 'dist/webview/main.js does not exist (the panel is not built)';
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM}`;
  return null;
}

declare const window: {
  __posted: unknown[];
  __send(messages: unknown[]): boolean;
  __plan: unknown[];
  __small: unknown[][];
  postMessage(m: unknown, origin: string): void;
};
declare const performance: { getEntriesByName(n: string): Array<{ startTime: number; duration: number }> };
declare const document: { getElementById(id: string): unknown; querySelector(s: string): unknown };

function harness(): string {
  return `(() => {
  window.__posted = [];
  window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => undefined, setState: (s) => s });
  // As the host's panel: the first message at once, the rest after a 50 ms pause for the first paint.
  window.__send = (messages) => {
    performance.mark('halo:state-posted');
    window.postMessage(messages[0], '*');
    if (messages.length > 1) setTimeout(() => messages.slice(1).forEach((m) => window.postMessage(m, '*')), 50);
    return messages.length > 1;
  };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.name === 'halo:filter-end') requestAnimationFrame(() => performance.mark('halo:filter-painted'));
  }).observe({ entryTypes: ['mark'] });
})();`;
}

export async function webviewBench(runs: number): Promise<WebviewResult> {
  const { chromium } = await import('playwright-core');
  const plan = makePlan();
  const state: PanelState = { plan, mappingFile: 'halo-identity.yaml', snapshotAt: '2025-05-01T09:58:00Z', plannedAt: '2025-05-01T10:02:30Z', canApply: true, mappingErrors: 0 };
  // 10 000 changes in the same proportions, twice (different seeds): a re-plan replacing a plan.
  const TEN_K: FixtureCounts = { createSite: 20, create: 3000, update: 4500, reactivate: 480, deactivate: 2000, errors: 50, orphans: 80 };
  const small = [1, 2].map((seed) => ({ ...state, plan: makePlan(TEN_K, seed) }));
  const stateJs = `window.__plan = ${JSON.stringify(stateMessages(state))};`;
  const smallJs = `window.__small = ${JSON.stringify(small.map((x) => stateMessages(x)))};`;
  let origin = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    const send = (type: string, body: string | Buffer) => {
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (url.pathname === '/') {
      const nonce = makeNonce();
      const html = panelHtml({ scriptUri: `${origin}/main.js`, styleUri: `${origin}/main.css`, cspSource: origin, nonce });
      const data = url.searchParams.has('small') ? 'small.js' : 'state.js';
      return send('text/html; charset=utf-8', html.replace('</head>', `<script nonce="${nonce}">${harness()}</script>\n<script nonce="${nonce}" src="${origin}/${data}"></script>\n</head>`));
    }
    if (url.pathname === '/state.js') return send('text/javascript', stateJs);
    if (url.pathname === '/small.js') return send('text/javascript', smallJs);
    if (url.pathname === '/main.js' || url.pathname === '/main.css') return send(url.pathname.endsWith('.js') ? 'text/javascript' : 'text/css', readFileSync(join(DIST, url.pathname.slice(1))));
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  const result: WebviewResult = { rows: plan.changes.length + plan.errors.length + plan.orphans.length, planMB: JSON.stringify(state).length / 1e6, firstPaintMs: [], firstPaintAppMs: [], completeMs: [], filterMs: [], searchMs: [], updateMs: [] };
  try {
    for (let i = 0; i < runs; i++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
      page.setDefaultTimeout(30_000);
      await page.goto(origin);
      await page.waitForFunction(() => window.__posted.length > 0); // the panel said it is ready
      const split = await page.evaluate(() => window.__send(window.__plan));
      await page.waitForFunction(() => performance.getEntriesByName('halo:state-rendered').length > 0);
      if (split) await page.waitForFunction(() => performance.getEntriesByName('halo:more-rendered').length > 0);
      const paint = await page.evaluate((parts) => {
        const at = (n: string) => performance.getEntriesByName(n)[0].startTime;
        return { total: at('halo:state-rendered') - at('halo:state-posted'), app: at('halo:state-rendered') - at('halo:state-received'), complete: at(parts ? 'halo:more-rendered' : 'halo:state-rendered') - at('halo:state-posted') };
      }, split);
      result.firstPaintMs.push(paint.total);
      result.firstPaintAppMs.push(paint.app);
      result.completeMs.push(paint.complete);

      if (i === 0) {
        const filter = async (dropdown: string, value: string) => {
          const before = await page.evaluate(() => performance.getEntriesByName('halo:filter-painted').length);
          await page.click(`#${dropdown}`);
          await page.click(`#${dropdown} vscode-option[value="${value}"]`);
          await page.waitForFunction((b) => performance.getEntriesByName('halo:filter-painted').length > b, before);
          return page.evaluate(() => {
            const last = (n: string) => performance.getEntriesByName(n).at(-1)!.startTime;
            return last('halo:filter-painted') - last('halo:filter-start');
          });
        };
        for (const [d, v] of [['filter-action', 'update'], ['filter-kind', 'agent'], ['filter-kind', 'all'], ['filter-action', 'deactivate'], ['filter-action', 'all']] as const) {
          result.filterMs.push(await filter(d, v));
        }
        for (const q of ['lovelace', 'hopper 1', 'contoso.com', '']) {
          const before = await page.evaluate(() => performance.getEntriesByName('halo:filter-painted').length);
          await page.locator('#search input').fill(q);
          await page.waitForFunction((b) => performance.getEntriesByName('halo:filter-painted').length > b, before);
          result.searchMs.push(
            await page.evaluate(() => {
              const last = (n: string) => performance.getEntriesByName(n).at(-1)!.startTime;
              return last('halo:filter-painted') - last('halo:filter-start');
            }),
          );
        }
      }
      await page.close();
    }
    // Re-plans at 10k reaching an open panel: each state replaces the one shown.
    const page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
    await page.goto(`${origin}/?small`);
    await page.waitForFunction(() => window.__posted.length > 0);
    for (let i = 0; i <= Math.max(3, runs); i++) {
      const before = await page.evaluate(() => [performance.getEntriesByName('halo:state-rendered').length, performance.getEntriesByName('halo:more-rendered').length]);
      const split = await page.evaluate((k) => window.__send(window.__small[k % 2]), i);
      await page.waitForFunction((b) => performance.getEntriesByName('halo:state-rendered').length > b[0], before);
      if (split) await page.waitForFunction((b) => performance.getEntriesByName('halo:more-rendered').length > b[1], before);
      // Until the whole new plan is in: the changed rows may be anywhere in it.
      const ms = await page.evaluate((parts) => {
        const last = (n: string) => performance.getEntriesByName(n).at(-1)!.startTime;
        return last(parts ? 'halo:more-rendered' : 'halo:state-rendered') - last('halo:state-posted');
      }, split);
      if (i > 0) result.updateMs.push(ms); // the first is the panel's first paint
    }
    await page.close();
  } finally {
    await browser.close();
    await new Promise((r) => server.close(r));
  }
  return result;
}
