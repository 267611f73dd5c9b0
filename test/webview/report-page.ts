// The built report view (dist/webview/reports.js) in headless Chromium, on the page the host gives
// it (panelHtml, strict CSP, a fake acquireVsCodeApi recording posts), with 10 000-agent reports:
// shared by the webview test (does it work) and the benchmark (how fast it paints).
import { existsSync, readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import type { AccessReport, AccessRow } from '../../src/core/reports/access';
import type { LicenceReport, LicenceRow } from '../../src/core/reports/licences';
import type { OrphanReport } from '../../src/core/reports/orphans';
import { makeNonce, panelHtml } from '../../webview/html';

declare const window: { __posted: Array<{ type: string; [k: string]: unknown }>; __problems: string[]; __send(m: unknown): void; __fixtures: Record<string, unknown> };
declare const document: any;
declare const performance: any;
declare const requestAnimationFrame: (f: () => void) => void;

const ROOT = resolve(__dirname, '..', '..', '..');
const DIST = join(ROOT, 'dist', 'webview');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const N = 10_000;
export const REPORT_KINDS = ['access', 'licences', 'orphans'] as const;

export function reportFixtures(): Record<string, unknown> {
  const rows: AccessRow[] = [];
  for (let i = 0; i < N; i++) {
    const base = { kind: 'agent' as const, haloId: i + 1, name: `Agent ${String(i).padStart(5, '0')}`, email: `agent${i}@contoso.com`, client: null, site: null, active: true, entra: `agent${i}@contoso.com` };
    rows.push({ ...base, grantType: 'role', grant: 'Technician', provenance: [`SG-Tier${i % 3} ⊂ SG-Halo-Agents → rule service-desk`] });
    if (i % 7 === 0) rows.push({ ...base, grantType: 'role', grant: 'Finance Viewer', provenance: ['not granted by the mapping'] });
  }
  const access: AccessReport = { rows, records: N, grants: rows.length, ungranted: rows.filter((r) => r.provenance[0] === 'not granted by the mapping').length };
  const lrows: LicenceRow[] = Array.from({ length: N }, (_, i) => ({ haloId: i + 1, name: `Agent ${i}`, email: `agent${i}@contoso.com`, licence: i % 5 ? 'named' : 'concurrent', active: true, apiAgent: false, lastLoginHalo: '2026-11-01T00:00:00.000Z', lastSignInEntra: null, idleDays: i % 120, entra: 'enabled', flags: i % 120 > 30 ? [`idle ${i % 120} days`] : [] }));
  const licences: LicenceReport = { rows: lrows, idleDaysLimit: 30, named: 8000, concurrent: 2000, idle: 7400, namedHeldByGone: 0, apiAgents: 0, cost: { perNamed: 40, named: 320000, idleNamed: 240000, recoverable: 240000 } };
  const orphans: OrphanReport = { rows: Array.from({ length: N }, (_, i) => ({ kind: i % 4 ? 'user' : 'agent', haloId: i + 1, name: `Orphan ${i}`, email: `o${i}@contoso.com`, client: i % 4 ? `Client ${i % 9}` : null, site: null, suggestions: i % 10 ? [] : [`o${i}@contoso.co (email differs by one letter)`] })), agents: 2500, users: 7500, byClient: { agents: 2500, 'Client 1': 834 } };
  return { access, licences, orphans };
}


export interface ReportPage {
  page: Page;
  /** Console errors and CSP violations so far. */
  problems(): Promise<string[]>;
  /** Posts a report; ms from the post until its rows are in the table (first paint), and until its chart is drawn. */
  show(kind: string): Promise<{ paint: number; chart: number }>;
  close(): Promise<void>;
}

export async function openReportPage(): Promise<ReportPage> {
  if (!existsSync(join(DIST, 'reports.js'))) throw new Error('dist/webview/reports.js is missing: run `npm run build` first (npm test does)');
  const fixtureJs = `window.__fixtures = ${JSON.stringify(reportFixtures())};`;
  let origin = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    const send = (status: number, type: string, body: string | Buffer) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (url.pathname === '/') {
      const nonce = makeNonce();
      const harness = `<script nonce="${nonce}">(() => {
        window.__problems = [];
        document.addEventListener('securitypolicyviolation', (e) => window.__problems.push('CSP ' + e.violatedDirective + ' ' + (e.blockedURI || 'inline')), true);
        window.__posted = [];
        window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))) });
        window.__send = (m) => window.postMessage(m, '*');
        for (const [k, v] of Object.entries({ '--vscode-foreground': '#cccccc', '--vscode-editor-background': '#1f1f1f', '--vscode-charts-blue': '#3794ff', '--vscode-charts-orange': '#d18616', '--vscode-charts-green': '#89d185', '--vscode-charts-red': '#f14c4c', '--vscode-panel-border': '#2b2b2b' })) document.documentElement.style.setProperty(k, v);
      })();</script>\n<script nonce="${nonce}" src="${origin}/fixture.js"></script>\n`;
      const html = panelHtml({ scriptUri: `${origin}/dist/webview/reports.js`, styleUri: `${origin}/dist/webview/reports.css`, cspSource: origin, nonce, title: 'Halo Identity: Report' }).replace('</head>', `${harness}</head>`);
      return send(200, 'text/html; charset=utf-8', html);
    }
    if (url.pathname === '/fixture.js') return send(200, 'text/javascript', fixtureJs);
    if (url.pathname === '/favicon.ico') return send(204, 'image/x-icon', '');
    const m = /^\/dist\/webview\/(reports\.(?:js|css)(?:\.map)?)$/.exec(url.pathname);
    if (m) return send(200, m[1].endsWith('.css') ? 'text/css' : m[1].endsWith('.js') ? 'text/javascript' : 'application/json', readFileSync(join(DIST, m[1])));
    send(404, 'text/plain', 'not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
  const errors: string[] = [];
  page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(origin);
  await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
  return {
    page,
    problems: async () => [...(await page.evaluate(() => window.__problems)), ...errors],
    show: (kind) =>
      page.evaluate(
        (k) =>
          new Promise<{ paint: number; chart: number }>((done) => {
            const t0 = performance.now();
            let paint = -1;
            // The previous report's table and chart stay until this one replaces them: wait for new ones.
            const oldRow = document.querySelector('.table .row');
            const oldChart = document.querySelector('#chart');
            window.__send({ type: 'report', kind: k, generatedAt: '2026-12-01T10:00:00Z', mapping: 'halo-identity.yaml', report: window.__fixtures[k] });
            const check = () => {
              const row = document.querySelector('.table .row');
              if (paint < 0 && row && row !== oldRow) paint = performance.now() - t0;
              const chart = document.querySelector('#chart[aria-label]');
              if (paint >= 0 && chart && chart !== oldChart) done({ paint, chart: performance.now() - t0 });
              else requestAnimationFrame(check);
            };
            check();
          }),
        kind,
      ),
    close: async () => {
      await browser.close();
      await new Promise((r) => server.close(r));
    },
  };
}
