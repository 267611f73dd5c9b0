// The panel page the host serves: strict CSP, one nonce'd script, nothing inline.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHash } from 'node:crypto';
import { EMPTY_STYLE_HASH, makeNonce, panelHtml } from '../../webview/html';

const opts = { scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/main.js', styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/main.css', cspSource: 'https://*.vscode-cdn.net', nonce: 'abcdefghijklmnopqrstuvwxyz012345' };

describe('panelHtml', () => {
  it('has a CSP that allows only the webview origin and the nonce', () => {
    const html = panelHtml(opts);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
    assert.equal(
      csp,
      `default-src 'none'; style-src https://*.vscode-cdn.net ${EMPTY_STYLE_HASH}; font-src https://*.vscode-cdn.net; img-src https://*.vscode-cdn.net data:; script-src 'nonce-${opts.nonce}';`,
    );
    assert.doesNotMatch(html, /unsafe-inline|unsafe-eval/);
  });

  it('allows exactly the empty <style> by hash', () => {
    assert.equal(EMPTY_STYLE_HASH, `'sha256-${createHash('sha256').update('').digest('base64')}'`);
  });

  it('loads the bundle with the nonce, the stylesheet by link, and nothing inline', () => {
    const html = panelHtml(opts);
    const scripts = html.match(/<script[^>]*>/g) ?? [];
    assert.deepEqual(scripts, [`<script nonce="${opts.nonce}" src="${opts.scriptUri}">`]);
    assert.match(html, new RegExp(`<link rel="stylesheet" href="${opts.styleUri.replace(/[.+*]/g, '\\$&')}">`));
    assert.doesNotMatch(html, /<style|\sstyle=|\son[a-z]+=/i);
    assert.match(html, /<div id="app"/);
  });

  it('escapes URIs and rejects a bad nonce or CSP source', () => {
    const html = panelHtml({ ...opts, scriptUri: 'https://x/a"b<c>.js' });
    assert.match(html, /src="https:\/\/x\/a&quot;b&lt;c&gt;\.js"/);
    assert.throws(() => panelHtml({ ...opts, nonce: 'short' }));
    assert.throws(() => panelHtml({ ...opts, nonce: 'a"b'.repeat(10) }));
    assert.throws(() => panelHtml({ ...opts, cspSource: "https://x; script-src 'unsafe-inline'" }));
    assert.throws(() => panelHtml({ ...opts, cspSource: '' }));
  });
});

describe('makeNonce', () => {
  it('gives 32 random bytes in base64, different every time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const n = makeNonce();
      assert.match(n, /^[A-Za-z0-9+/]{43}=$/);
      assert.equal(Buffer.from(n, 'base64').length, 32);
      seen.add(n);
    }
    assert.equal(seen.size, 100);
    assert.doesNotThrow(() => panelHtml({ ...opts, nonce: makeNonce() }));
  });
});
