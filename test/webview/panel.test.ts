// The built diff panel (dist/webview) in headless Chromium, on the page the host would give it
// (panelHtml, strict CSP), with a fake acquireVsCodeApi recording what the panel posts and saves.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Browser, chromium, Page } from 'playwright-core';
import { changeKey, Plan } from '../../src/core/changes';
import { makeNonce, panelHtml } from '../../webview/html';
import { FIRST_PART, PROTOCOL_VERSION } from '../../webview/protocol';
import { makePlan, matchesSearch } from './plan-fixture';

// Page-side globals, as seen from the functions passed to page.evaluate (they run in Chromium).
interface Harness {
  __posted: { type: string; [k: string]: unknown }[];
  __problems: string[];
  __plans: Record<string, Plan>;
  __sendState(name: string, extra?: Record<string, unknown>): boolean;
  __send(message: unknown): void;
  __derive(from: string, to: string, drop: number): void;
}
declare const window: Harness & { postMessage(m: unknown, origin: string): void };
declare const document: any;

const ROOT = resolve(__dirname, '..', '..', '..');
const DIST = join(ROOT, 'dist', 'webview');
const ARTIFACTS = join(ROOT, 'test-artifacts');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Dark Modern values for the theme variables VS Code sets on the webview's <html>. */
const DARK: Record<string, string> = {
  '--vscode-font-family': '-apple-system, BlinkMacSystemFont, "Segoe UI", system-ui, "Ubuntu", "Droid Sans", sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-font-weight': 'normal',
  '--vscode-editor-font-family': '"Droid Sans Mono", "monospace", monospace',
  '--vscode-editor-font-size': '12px',
  '--vscode-foreground': '#cccccc',
  '--vscode-descriptionForeground': '#9d9d9d',
  '--vscode-errorForeground': '#f85149',
  '--vscode-editor-background': '#1f1f1f',
  '--vscode-editor-foreground': '#cccccc',
  '--vscode-panel-border': '#2b2b2b',
  '--vscode-focusBorder': '#0078d4',
  '--vscode-list-hoverBackground': '#2a2d2e',
  '--vscode-list-activeSelectionBackground': '#04395e',
  '--vscode-list-activeSelectionForeground': '#ffffff',
  '--vscode-list-inactiveSelectionBackground': '#37373d',
  '--vscode-list-focusOutline': '#0078d4',
  '--vscode-badge-background': '#616161',
  '--vscode-badge-foreground': '#f8f8f8',
  '--vscode-button-background': '#0078d4',
  '--vscode-button-foreground': '#ffffff',
  '--vscode-button-hoverBackground': '#026ec1',
  '--vscode-button-secondaryBackground': '#313131',
  '--vscode-button-secondaryForeground': '#cccccc',
  '--vscode-button-secondaryHoverBackground': '#3c3c3c',
  '--vscode-button-border': '#ffffff12',
  '--vscode-input-background': '#313131',
  '--vscode-input-foreground': '#cccccc',
  '--vscode-input-border': '#3c3c3c',
  '--vscode-input-placeholderForeground': '#989898',
  '--vscode-dropdown-background': '#313131',
  '--vscode-dropdown-foreground': '#cccccc',
  '--vscode-dropdown-border': '#3c3c3c',
  '--vscode-dropdown-listBackground': '#1f1f1f',
  '--vscode-checkbox-background': '#313131',
  '--vscode-checkbox-border': '#3c3c3c',
  '--vscode-checkbox-foreground': '#cccccc',
  '--vscode-progressBar-background': '#0078d4',
  '--vscode-textLink-foreground': '#4daafc',
  '--vscode-textLink-activeForeground': '#4daafc',
  '--vscode-diffEditor-insertedTextBackground': '#9ccc2c33',
  '--vscode-diffEditor-removedTextBackground': '#ff000033',
  '--vscode-gitDecoration-addedResourceForeground': '#81b88b',
  '--vscode-gitDecoration-modifiedResourceForeground': '#e2c08d',
  '--vscode-gitDecoration-deletedResourceForeground': '#c74e39',
  '--vscode-gitDecoration-untrackedResourceForeground': '#73c991',
  '--vscode-editorWarning-foreground': '#cca700',
  '--vscode-inputValidation-errorBackground': '#5a1d1d',
  '--vscode-inputValidation-errorBorder': '#be1100',
  '--vscode-inputValidation-warningBackground': '#352a05',
  '--vscode-inputValidation-warningBorder': '#b89500',
  '--vscode-symbolIcon-fieldForeground': '#75beff',
};

/** Runs in the page before the app: fake VS Code API (state in sessionStorage, so it survives a reload), CSP watch, dark theme. */
function harnessScript(): string {
  return `(() => {
  const problems = window.__problems = [];
  document.addEventListener('securitypolicyviolation', (e) => problems.push('CSP ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' ' + (e.sample || '')), true);
  const posted = window.__posted = [];
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi may be called once');
    acquired = true;
    return {
      postMessage: (m) => posted.push(JSON.parse(JSON.stringify(m))),
      getState: () => { const s = sessionStorage.getItem('fake-vscode-state'); return s ? JSON.parse(s) : undefined; },
      setState: (s) => { sessionStorage.setItem('fake-vscode-state', JSON.stringify(s)); return s; },
    };
  };
  window.__send = (m) => window.postMessage(m, '*');
  // As the host's stateMessages(): a large plan goes as a first part, then the rest.
  window.__sendState = (name, extra) => {
    const state = Object.assign({ plan: window.__plans[name], mappingFile: 'halo-identity.yaml', snapshotAt: '2025-05-01T09:58:00Z', plannedAt: '2025-05-01T10:02:30Z', canApply: true, mappingErrors: 0 }, extra || {});
    performance.mark('halo:state-posted');
    const changes = state.plan.changes;
    if (changes.length <= ${FIRST_PART}) {
      window.postMessage({ type: 'state', state }, '*');
      return false;
    }
    const head = Object.assign({}, state, { plan: Object.assign({}, state.plan, { changes: changes.slice(0, ${FIRST_PART}) }), pendingChanges: changes.length - ${FIRST_PART} });
    window.postMessage({ type: 'state', state: head }, '*');
    setTimeout(() => window.postMessage({ type: 'moreChanges', plannedAt: state.plannedAt, changes: changes.slice(${FIRST_PART}), done: true }, '*'), 50);
    return true;
  };
  window.__derive = (from, to, drop) => {
    const p = window.__plans[from];
    window.__plans[to] = Object.assign({}, p, { changes: p.changes.slice(drop) });
  };
  const vars = ${JSON.stringify(DARK)};
  for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(k, v);
  document.addEventListener('DOMContentLoaded', () => {
    document.body.classList.add('vscode-dark');
    document.body.setAttribute('data-vscode-theme-kind', 'vscode-dark');
  });
})();`;
}

const digits = (s: string | null): number => Number((s ?? '').replace(/[^0-9]/g, ''));

describe('diff panel webview (built bundle in Chromium)', { timeout: 60_000 }, () => {
  let server: Server;
  let origin = '';
  let browser: Browser;
  let page: Page;
  let plan: Plan;
  let planBytes = 0;
  const consoleErrors: string[] = [];

  before(async () => {
    assert.ok(existsSync(join(DIST, 'main.js')) && existsSync(join(DIST, 'main.css')), 'dist/webview is missing: run `npm run build` first (npm test does)');
    plan = makePlan();
    const json = JSON.stringify(plan);
    planBytes = json.length;
    const planJs = `window.__plans = { big: JSON.parse(${JSON.stringify(json)}) };`;
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', origin);
      const send = (status: number, type: string, body: string | Buffer) => {
        res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
        res.end(body);
      };
      if (url.pathname === '/') {
        const nonce = makeNonce();
        let html = panelHtml({ scriptUri: `${origin}/dist/webview/main.js`, styleUri: `${origin}/dist/webview/main.css`, cspSource: origin, nonce });
        const harness = `<script nonce="${nonce}">${harnessScript()}</script>\n<script nonce="${nonce}" src="${origin}/fixture/plans.js"></script>\n`;
        html = html.replace('</head>', `${harness}</head>`);
        return send(200, 'text/html; charset=utf-8', html);
      }
      if (url.pathname === '/fixture/plans.js') return send(200, 'text/javascript; charset=utf-8', planJs);
      const m = /^\/dist\/webview\/(main\.(?:js|css)(?:\.map)?)$/.exec(url.pathname);
      if (m) return send(200, m[1].endsWith('.css') ? 'text/css' : m[1].endsWith('.js') ? 'text/javascript' : 'application/json', readFileSync(join(DIST, m[1])));
      if (url.pathname === '/favicon.ico') return send(204, 'image/x-icon', '');
      send(404, 'text/plain', 'not found');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
    page.setDefaultTimeout(5_000);
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(`pageerror: ${err.message}`));
    await page.goto(origin);
    await page.waitForFunction(() => window.__posted && window.__posted.length > 0);
  });

  after(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
  });

  /** No CSP violation and no console error, ever: checked after every test. */
  const assertClean = async () => {
    const problems = await page.evaluate(() => window.__problems);
    assert.deepEqual([...problems, ...consoleErrors], [], 'CSP violations or console errors in the panel');
  };

  const posted = () => page.evaluate(() => window.__posted);
  const rowCount = () => page.locator('#tree .row:not([hidden])').count();
  /** A section's header row, by its exact title. */
  const sectionRow = (title: string) => page.locator('#tree .row.t-section').filter({ has: page.locator('.label', { hasText: new RegExp(`^${title}$`) }) });
  /** The "N of M changes" line: N. */
  const matchInfo = async () => digits(/^[\d,]+/.exec((await page.locator('.match-info').textContent()) ?? '')?.[0] ?? '');

  /** Posts a state; returns ms from post to rendered, and from decoded message to rendered (the app's own share). */
  /** Scrolls the tree and waits until the rows from there are rendered. */
  async function scrollTo(px: number): Promise<void> {
    await page.evaluate((y) => {
      document.getElementById('tree').scrollTop = y;
    }, px);
    await page.waitForFunction((y) => {
      const first = document.querySelector('#tree .row:not([hidden])');
      return !first || Math.abs(Number(first.dataset.index) * 22 - document.getElementById('tree').scrollTop) <= 22 * 12 || y < 0;
    }, px);
  }

  async function sendState(name: string, extra?: Record<string, unknown>): Promise<{ total: number; app: number }> {
    const before = await page.evaluate(() => [performance.getEntriesByName('halo:state-rendered').length, performance.getEntriesByName('halo:more-rendered').length]);
    const split = await page.evaluate(([n, x]) => window.__sendState(n as string, x as Record<string, unknown> | undefined), [name, extra] as const);
    await page.waitForFunction((b) => performance.getEntriesByName('halo:state-rendered').length > b, before[0]);
    // First paint is the first part; the tests then work on the whole plan.
    if (split) await page.waitForFunction((b) => performance.getEntriesByName('halo:more-rendered').length > b, before[1]);
    return page.evaluate(() => {
      const at = (n: string) => performance.getEntriesByName(n).at(-1)!.startTime;
      return { total: at('halo:state-rendered') - at('halo:state-posted'), app: at('halo:state-rendered') - at('halo:state-received') };
    });
  }

  async function chooseOption(dropdown: string, value: string): Promise<number> {
    const before = await page.evaluate(() => performance.getEntriesByName('halo:filter').length);
    await page.click(`#${dropdown}`);
    await page.click(`#${dropdown} vscode-option[value="${value}"]`);
    await page.waitForFunction((b) => performance.getEntriesByName('halo:filter').length > b, before);
    return page.evaluate(() => performance.getEntriesByName('halo:filter').at(-1)!.duration);
  }

  async function search(text: string): Promise<number> {
    const before = await page.evaluate(() => performance.getEntriesByName('halo:filter').length);
    await page.locator('#search input').fill(text);
    await page.waitForFunction((b) => performance.getEntriesByName('halo:filter').length > b, before);
    return page.evaluate(() => performance.getEntriesByName('halo:filter').at(-1)!.duration);
  }

  it('posts ready first, with the protocol version', async () => {
    const messages = await posted();
    assert.deepEqual(messages[0], { type: 'ready', version: PROTOCOL_VERSION });
    assert.equal(messages.length, 1);
    await assertClean();
  });

  it('renders a 100 000-change plan quickly, keeping only a window of rows in the DOM', async () => {
    assert.equal(plan.changes.length, 100_000);
    const firstPaint = await sendState('big');
    const mb = (planBytes / 1e6).toFixed(0);
    console.log(`# first paint of ${plan.changes.length.toLocaleString('en-US')} changes: ${firstPaint.total.toFixed(0)} ms from postMessage (the first ${FIRST_PART} of the ${mb} MB plan; the rest follows), ${firstPaint.app.toFixed(0)} ms from the decoded message to rows in the DOM (next animation frame)`);
    const rows = await rowCount();
    assert.ok(rows > 10 && rows < 200, `rendered rows: ${rows}`);
    assert.ok((await page.locator('#tree [role="treeitem"]').count()) < 1000);
    const spacer = await page.evaluate(() => document.querySelector('.vlist-spacer').getBoundingClientRect().height as number);
    assert.ok(spacer >= 100_000 * 22, `scroll height covers every row: ${spacer}`);
    // Errors come first, then the actions in apply order, then orphans.
    const sections = await page.locator('#tree .row.t-section .label').allTextContents();
    assert.deepEqual(sections.slice(0, 1), ['Errors']);
    // Scrolling to the middle renders rows from there, still only a window of them.
    await page.evaluate(() => {
      const t = document.getElementById('tree');
      t.scrollTop = t.scrollHeight / 2;
    });
    await page.waitForFunction(() => Number(document.querySelector('#tree .row:not([hidden])').dataset.index) > 40_000);
    assert.ok((await rowCount()) < 200);
    await page.evaluate(() => {
      document.getElementById('tree').scrollTop = 0;
    });
    await page.waitForFunction(() => document.querySelector('#tree .row:not([hidden])').dataset.index === '0');
    await assertClean();
  });

  it('shows the summary counts of the plan, the block and the warnings', async () => {
    const expected: Record<string, number> = { ...plan.summary, errors: plan.errors.length, orphans: plan.orphans.length };
    for (const [key, n] of Object.entries(expected)) {
      assert.equal(digits(await page.locator(`[data-count="${key}"] .badge`).textContent()), n, key);
    }
    assert.match((await page.locator('.banner-blocked').textContent()) ?? '', /Blocked: 20,?000 deactivations exceed safety\.maxDeactivations/);
    assert.equal(await page.locator('.warning').count(), plan.warnings.length);
    assert.equal(await matchInfo(), plan.changes.length);
    await assertClean();
  });

  it('filters by action and by kind', async () => {
    const t1 = await chooseOption('filter-action', 'update');
    const updates = plan.changes.filter((c) => c.action === 'update');
    assert.equal(await matchInfo(), updates.length);
    assert.deepEqual(await page.locator('#tree .row.t-section .label').allTextContents(), ['To update']);
    assert.deepEqual([...new Set(await page.locator('#tree .row.t-change .sym').allTextContents())], ['~']);

    const t2 = await chooseOption('filter-kind', 'agent');
    assert.equal(await matchInfo(), updates.filter((c) => c.kind === 'agent').length);
    assert.deepEqual([...new Set(await page.locator('#tree .row.t-change .tag').allTextContents())], ['agent']);
    assert.ok((await page.locator('#tree .row.t-rule .tag').allTextContents()).every((t) => t === 'agents'));

    const t3 = await chooseOption('filter-action', 'errors');
    assert.deepEqual(await page.locator('#tree .row.t-section .label').allTextContents(), ['Errors']);
    const agentErrors = plan.errors.filter((e) => e.kind === 'agent').length;
    assert.equal(await page.locator('#tree .row.t-section .count').textContent(), `${agentErrors} of ${plan.errors.length}`);

    const t4 = await chooseOption('filter-kind', 'all');
    const t5 = await chooseOption('filter-action', 'all');
    assert.equal(await matchInfo(), plan.changes.length);
    console.log(`# filter at 100k changes: ${[t1, t2, t3, t4, t5].map((t) => t.toFixed(1)).join(', ')} ms (apply filter + render)`);
    await assertClean();
  });

  it('search narrows the rows (name, email, Entra id, Halo id)', async () => {
    const target = plan.changes.find((c) => c.action === 'update' && c.kind === 'user')!;
    const email = Object.values(target.fields).find((f) => typeof f.to === 'string' && f.to.includes('@'))?.to as string | undefined;
    const cases = [target.name.split(' ')[1].toUpperCase(), target.entraId!, `#${target.haloId}`, ...(email ? [email] : [])];
    const timings: number[] = [];
    for (const q of cases) {
      timings.push(await search(q));
      const expected = plan.changes.filter((c) => matchesSearch(c, q)).length;
      assert.equal(await matchInfo(), expected, `search ${q}`);
      assert.ok(expected >= 1 && expected < plan.changes.length);
      const labels = await page.locator('#tree .row.t-change .label').allTextContents();
      assert.ok(labels.length >= 1, `rows for ${q}`);
      if (q !== cases[0]) assert.ok(labels.includes(target.name), `${target.name} found by ${q}`);
    }
    console.log(`# search at 100k changes: ${timings.map((t) => t.toFixed(1)).join(', ')} ms (filter + render, after the debounce)`);
    await search('');
    assert.equal(await matchInfo(), plan.changes.length);
    await assertClean();
  });

  it('expands an identity to its field lines and collapses a section', async () => {
    // Long error lists start closed so the changes are in view.
    const errors = sectionRow('Errors');
    assert.equal(await errors.getAttribute('aria-expanded'), 'false');
    const createRow = page.locator('#tree .row.t-change.lvl3').first();
    assert.equal(await createRow.getAttribute('aria-expanded'), 'false');
    const rowsBefore = await page.evaluate(() => document.querySelector('.vlist-spacer').getBoundingClientRect().height as number);
    await createRow.locator('.twistie').click();
    assert.equal(await createRow.getAttribute('aria-expanded'), 'true');
    const details = page.locator('#tree .row.t-detail');
    assert.ok((await details.count()) >= 1);
    assert.match((await details.first().textContent()) ?? '', /:/);
    const rowsAfter = await page.evaluate(() => document.querySelector('.vlist-spacer').getBoundingClientRect().height as number);
    assert.equal(rowsAfter - rowsBefore, (await details.count()) * 22);

    // An update shows from → to.
    await search(plan.changes.find((c) => c.action === 'update' && c.fields.title)!.entraId!);
    assert.equal(await page.locator('#tree .row.t-change').count(), 1);
    await page.locator('#tree .row.t-change .twistie').first().click();
    assert.match((await page.locator('#tree .row.t-detail').allTextContents()).join('\n'), /title:.+→.+/);
    await search('');

    const sites = sectionRow('Sites to create');
    await sites.locator('.twistie').click();
    assert.equal(await sites.getAttribute('aria-expanded'), 'false');
    const section = sectionRow('To create');
    assert.equal(await section.getAttribute('aria-expanded'), 'true');
    await section.locator('.twistie').click();
    assert.equal(await section.getAttribute('aria-expanded'), 'false');
    const collapsedHeight = await page.evaluate(() => document.querySelector('.vlist-spacer').getBoundingClientRect().height as number);
    assert.ok(collapsedHeight < rowsAfter - 29_000 * 22, 'collapsing "To create" removes its rows');
    await section.locator('.twistie').click();
    assert.equal(await section.getAttribute('aria-expanded'), 'true');
    await sites.locator('.twistie').click();
    assert.equal(await sites.getAttribute('aria-expanded'), 'true');
    await assertClean();
  });

  it('keyboard: arrows, Home/End, PageDown, Left/Right and Space move aria-activedescendant and select', async () => {
    const tree = page.locator('#tree');
    await tree.focus();
    const active = () => tree.getAttribute('aria-activedescendant');
    await page.keyboard.press('Home');
    assert.equal(await active(), 'row-0');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    assert.equal(await active(), 'row-2');
    assert.equal(await page.locator('#row-2').getAttribute('class').then((c) => c?.includes('active')), true);
    await page.keyboard.press('ArrowUp');
    assert.equal(await active(), 'row-1');
    await page.keyboard.press('PageDown');
    assert.ok(Number((await active())!.slice(4)) > 10);
    await page.keyboard.press('End');
    const total = await page.evaluate(() => document.querySelector('.vlist-spacer').getBoundingClientRect().height / 22);
    assert.equal(await active(), `row-${total - 1}`);
    assert.equal(await page.locator(`#row-${total - 1}`).count(), 1, 'the active row is rendered');
    await page.keyboard.press('Home');

    // Row 0 is the (closed) Errors section: ArrowRight opens it, then enters it; ArrowLeft goes
    // back to the parent, then closes it.
    assert.equal(await page.locator('#row-0').getAttribute('aria-expanded'), 'false');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.locator('#row-0').getAttribute('aria-expanded'), 'true');
    await page.keyboard.press('ArrowRight');
    assert.equal(await active(), 'row-1');
    assert.equal(await page.locator('#row-1').getAttribute('aria-level'), '2');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await active(), 'row-0', 'ArrowLeft on a leaf goes to its parent');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await page.locator('#row-0').getAttribute('aria-expanded'), 'false');

    // Move to the first identity row of "To create" and select it with Space.
    const idx = Number(await page.locator('#tree .row.t-change').first().getAttribute('data-index'));
    for (let i = 0; i < idx; i++) await page.keyboard.press('ArrowDown');
    assert.equal(await active(), `row-${idx}`);
    assert.equal(await page.locator(`#row-${idx}`).getAttribute('aria-selected'), 'false');
    await page.keyboard.press('Space');
    assert.equal(await page.locator(`#row-${idx}`).getAttribute('aria-selected'), 'true');
    assert.equal(await page.locator('#apply-selected').textContent(), 'Apply selected (1)');
    await page.keyboard.press('Space');
    assert.equal(await page.locator(`#row-${idx}`).getAttribute('aria-selected'), 'false');
    // Enter toggles expansion of the identity.
    const was = await page.locator(`#row-${idx}`).getAttribute('aria-expanded');
    await page.keyboard.press('Enter');
    assert.equal(await page.locator(`#row-${idx}`).getAttribute('aria-expanded'), was === 'true' ? 'false' : 'true');
    await page.keyboard.press('Enter');
    assert.equal(await page.locator(`#row-${idx}`).getAttribute('aria-expanded'), was);
    await assertClean();
  });

  it('Apply selected posts exactly the selected keys; group checkboxes select their visible children', async () => {
    await chooseOption('filter-action', 'createSite');
    const sites = plan.changes.filter((c) => c.action === 'createSite');
    await page.locator('#tree .row.t-rule .check').first().click();
    assert.equal(await page.locator('#apply-selected').textContent(), `Apply selected (${sites.length})`);
    await chooseOption('filter-action', 'all');

    // Two individual identities, found by their (unique) Entra ids.
    const picks = [plan.changes.find((c) => c.action === 'update' && c.kind === 'agent')!, plan.changes.find((c) => c.action === 'deactivate' && c.entraId)!];
    for (const c of picks) {
      await search(c.entraId!);
      assert.equal(await page.locator('#tree .row.t-change').count(), 1);
      await page.locator('#tree .row.t-change .check').click();
      assert.equal(await page.locator('#tree .row.t-change').getAttribute('aria-selected'), 'true');
    }
    await search('');
    const expected = [...sites, ...picks].map(changeKey).sort();
    assert.equal(await page.locator('#apply-selected').textContent(), `Apply selected (${expected.length})`);
    await page.locator('#apply-selected').click();
    const last = (await posted()).at(-1)!;
    assert.equal(last.type, 'applySelected');
    assert.deepEqual([...(last.keys as string[])].sort(), expected);

    // Refresh and open rule post their messages.
    await page.locator('#refresh').click();
    assert.deepEqual((await posted()).at(-1), { type: 'refresh' });
    const rule = page.locator('#tree .row.t-rule').first();
    await rule.hover();
    await rule.locator('.open-rule').click();
    const reveal = (await posted()).at(-1)!;
    assert.equal(reveal.type, 'revealRule');
    assert.ok(reveal.kind === 'user' || reveal.kind === 'agent');
    await assertClean();
  });

  it('busy, applied and error messages; invalid host messages are ignored', async () => {
    const countBefore = (await posted()).length;
    const badgeBefore = await page.locator('[data-count="create"] .badge').textContent();
    for (const bad of [null, 'state', 42, { type: 'state' }, { type: 'state', state: { plan: { version: 2, changes: [], errors: [], orphans: [] }, mappingFile: 'x' } }, { type: 'busy', busy: 'yes' }, { type: 'applied', applied: '3' }, { type: 'error' }, { type: 'nope' }]) {
      await page.evaluate((m) => window.__send(m), bad);
    }
    await page.waitForTimeout(50);
    assert.equal(await page.locator('[data-count="create"] .badge').textContent(), badgeBefore);
    assert.equal(await page.locator('.busy').isVisible(), false);
    assert.equal(await page.locator('.banner-error').isVisible(), false);
    assert.equal((await posted()).length, countBefore);

    await page.evaluate(() => window.__send({ type: 'busy', busy: true, message: 'Applying 3 changes…' }));
    await page.locator('.busy-text', { hasText: 'Applying 3 changes…' }).waitFor({ state: 'visible' });
    assert.ok(await page.locator('.busy vscode-progress-ring').isVisible());
    assert.equal(await page.locator('.busy-text').textContent(), 'Applying 3 changes…');
    assert.equal(await page.locator('#apply-selected').getAttribute('disabled'), '');
    await page.evaluate(() => window.__send({ type: 'applied', applied: 3, failed: 0, stale: 0, cancelled: false, journalFile: '/ws/.halo-identity/journal.jsonl' }));
    await page.locator('.result').waitFor({ state: 'visible' });
    assert.equal(await page.locator('.busy').isVisible(), false);
    assert.match((await page.locator('.result-text').textContent()) ?? '', /Applied 3, failed 0/);
    await page.locator('#open-journal').click();
    assert.deepEqual((await posted()).at(-1), { type: 'openJournal' });
    await page.evaluate(() => window.__send({ type: 'error', message: 'Halo refused the token' }));
    // The panel renders on its next frame: wait for the banner, then read it.
    await page.locator('.banner-error', { hasText: 'Halo refused the token' }).waitFor({ state: 'visible' });
    assert.equal(await page.locator('.banner-error').textContent(), 'Halo refused the token');
    await assertClean();
  });

  it('disables Apply selected, saying why, when the host says apply is not allowed', async () => {
    await sendState('big', { canApply: false, mappingErrors: 2 });
    assert.equal(await page.locator('#apply-selected').getAttribute('disabled'), '');
    assert.match((await page.locator('.apply-note').textContent()) ?? '', /Apply is disabled/);
    assert.match((await page.locator('.banner-warning').textContent()) ?? '', /2 errors/);
    await sendState('big');
    assert.equal(await page.locator('#apply-selected').getAttribute('disabled'), null);
    await assertClean();
  });

  it('keeps selection, expansion and scroll across a re-plan, dropping keys that vanished', async () => {
    const selectedBefore = digits(await page.locator('#apply-selected').textContent());
    assert.ok(selectedBefore > 2);
    await page.evaluate(() => {
      document.getElementById('tree').scrollTop = 22 * 500;
    });
    await page.waitForFunction(() => Number(document.querySelector('#tree .row:not([hidden])').dataset.index) > 400);
    // The re-plan drops the first 150 changes: the sites, which are selected.
    await page.evaluate(() => window.__derive('big', 'smaller', 150));
    await sendState('smaller');
    const sitesLeft = plan.changes.slice(150).filter((c) => c.action === 'createSite').length;
    assert.equal(digits(await page.locator('#apply-selected').textContent()), selectedBefore - (200 - sitesLeft));
    assert.equal(await matchInfo(), plan.changes.length - 150);
    assert.equal(await page.evaluate(() => document.getElementById('tree').scrollTop as number), 22 * 500);
    await sendState('big');
    await assertClean();
  });

  it('restores filters, selection, expansion and scroll after a reload (getState/setState)', async () => {
    await chooseOption('filter-kind', 'user');
    await search('okafor');
    await scrollTo(0);
    const shown = await matchInfo();
    const target = page.locator('#tree .row.t-change').nth(2);
    const name = await target.locator('.label').textContent();
    await target.locator('.twistie').click();
    await page.locator('#tree .row.t-change').nth(3).locator('.check').click();
    const selected = digits(await page.locator('#apply-selected').textContent());
    await scrollTo(22 * 30);
    await page.waitForTimeout(400);

    await page.reload();
    await page.waitForFunction(() => window.__posted && window.__posted.length > 0);
    assert.deepEqual((await posted())[0], { type: 'ready', version: PROTOCOL_VERSION });
    await sendState('big');
    assert.equal(await page.locator('#search input').inputValue(), 'okafor');
    assert.equal(await matchInfo(), shown);
    assert.equal(digits(await page.locator('#apply-selected').textContent()), selected);
    const scrollTop = await page.evaluate(() => document.getElementById('tree').scrollTop as number);
    assert.ok(Math.abs(scrollTop - 22 * 30) <= 22, `scrollTop ${scrollTop}`);
    await scrollTo(0);
    assert.equal(await page.locator('#tree .row.t-change').filter({ has: page.locator('.label', { hasText: new RegExp(`^${name}$`) }) }).getAttribute('aria-expanded'), 'true');
    await assertClean();
  });

  it('looks like a VS Code panel in a dark theme (screenshot)', async () => {
    await search('');
    await chooseOption('filter-kind', 'all');
    await page.evaluate(() => {
      document.getElementById('tree').scrollTop = 0;
    });
    await page.waitForFunction(() => document.querySelector('#tree .row:not([hidden])').dataset.index === '0');
    // Close the sites and creates so updates are in view, and open two of them (from → to lines).
    await sectionRow('Sites to create').locator('.twistie').click();
    await sectionRow('To create').locator('.twistie').click();
    await page.locator('#tree .row.t-change:has(.sym-update)').nth(0).locator('.twistie').click();
    await page.locator('#tree .row.t-change:has(.sym-update)').nth(2).locator('.check').click();
    await page.locator('#tree .row.t-change:has(.sym-update)').nth(3).locator('.twistie').click();
    await page.locator('#tree').focus();
    await page.keyboard.press('Home');
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowDown');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'webview-panel.png') });
    await assertClean();
  });
});
