// The built report view in headless Chromium under the strict CSP (report-page.ts): each report
// with 10 000 agents renders a virtualised table and draws its chart, with no CSP violation or
// console error; the access review is keyboard navigable and posts the marks made. How fast it
// paints is measured by `npm run bench` (BENCHMARKS.md, "Reports"), not here.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openReportPage, REPORT_KINDS, ReportPage } from './report-page';

declare const window: { __posted: Array<{ type: string; [k: string]: unknown }> };

describe('report view webview (built bundle in Chromium)', { timeout: 60_000 }, () => {
  let view: ReportPage;
  before(async () => {
    view = await openReportPage();
  });
  after(() => view?.close());

  for (const kind of REPORT_KINDS) {
    it(`${kind}: 10 000 agents in a virtualised table and a chart, under the CSP`, async () => {
      await view.show(kind);
      const rendered = await view.page.locator('.table .row:not([hidden])').count();
      assert.ok(rendered > 10 && rendered < 200, `${rendered} rows in the DOM: virtualised`);
      assert.ok(((await view.page.locator('#chart').getAttribute('aria-label')) ?? '').length > 10, 'the chart says what it shows');
      assert.deepEqual(await view.problems(), []);
    });
  }

  it('access review: filter to hand grants, move with the keyboard, mark revoke, save', async () => {
    const page = view.page;
    await view.show('access');
    await page.selectOption('select.type', 'team');
    assert.equal(await page.locator('.table .row:not([hidden])').count(), 0, 'the fixture grants no team');
    await page.selectOption('select.type', 'role');
    await page.selectOption('select.only', 'hand');
    const first = (await page.locator('.table .row:not([hidden])').first().textContent()) ?? '';
    assert.match(first, /Finance Viewer/);
    await page.locator('.table').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('2');
    await page.click('button.save');
    const saved = await page.evaluate(() => window.__posted.filter((m) => m.type === 'saveReview').at(-1));
    assert.deepEqual(saved, { type: 'saveReview', apply: false, marks: [{ kind: 'agent', haloId: 8, grantType: 'role', grant: 'Finance Viewer', decision: 'revoke' }] });
    assert.equal(await page.locator('.table .row.active select').inputValue(), 'revoke');
  });
});
