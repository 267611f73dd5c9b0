// The diff panel's HTML, built by the extension host (and by the webview tests) around the bundle in
// dist/webview/. Pure: no vscode import, so the host passes in what asWebviewUri and cspSource give.

export interface PanelHtmlOptions {
  /** webview.asWebviewUri(dist/webview/main.js) as a string. */
  scriptUri: string;
  /** webview.asWebviewUri(dist/webview/main.css) as a string. */
  styleUri: string;
  /** webview.cspSource. */
  cspSource: string;
  /** A fresh makeNonce() for every HTML the panel is given. */
  nonce: string;
  /** The page's title (default the diff panel's). */
  title?: string;
}

const escapeAttr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * SHA-256 of the empty string. The toolkit (FAST's canUseFocusVisible, run when it loads) probes for
 * :focus-visible by appending an empty <style> element and inserting a rule through the CSSOM; this
 * hash lets exactly an empty inline <style> in, which cannot carry CSS of its own. Without it the
 * probe is a style-src-elem violation (and the toolkit falls back to :focus rings).
 */
export const EMPTY_STYLE_HASH = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='";

/**
 * The panel page. The CSP allows only our stylesheet and fonts/images from the webview origin and the
 * one nonce'd script; the toolkit's components style themselves through constructable stylesheets
 * (adoptedStyleSheets) and the CSSOM, which style-src does not govern, so no 'unsafe-inline'.
 */
export function panelHtml({ scriptUri, styleUri, cspSource, nonce, title = 'Halo Identity: Plan' }: PanelHtmlOptions): string {
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(nonce)) throw new Error('panelHtml: the nonce must be at least 16 base64 characters');
  if (!cspSource.trim() || /[;,"\r\n]/.test(cspSource)) throw new Error('panelHtml: cspSource must be CSP source expressions (webview.cspSource)');
  const csp = [
    "default-src 'none'",
    `style-src ${cspSource} ${EMPTY_STYLE_HASH}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)};">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttr(styleUri)}">
<title>${escapeAttr(title)}</title>
</head>
<body>
<div id="app" class="app"><p class="loading">Loading…</p></div>
<script nonce="${nonce}" src="${escapeAttr(scriptUri)}"></script>
</body>
</html>
`;
}

/** 32 random bytes, base64: a nonce for one page load. */
export function makeNonce(): string {
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}
