// Bundles the CLI and the extension host code into dist/ (one file each; `vscode` stays external),
// and the diff panel app into dist/webview/main.js + main.css (its CSS is imported by the entry).
import * as esbuild from 'esbuild';
import { readFileSync } from 'node:fs';

const production = process.argv.includes('--production');
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  sourcesContent: false,
  minify: production,
  // The SCIM library (scimmy) tells its resource and schema classes apart by their names.
  keepNames: true,
  logLevel: 'warning',
  define: { __VERSION__: JSON.stringify(version) },
  // A native module: loaded from node_modules where the CLI runs; the extension host reads a bridge over HTTPS instead.
  external: ['better-sqlite3'],
};

const webview = {
  bundle: true,
  platform: 'browser',
  target: 'chrome114',
  format: 'iife',
  sourcemap: !production,
  sourcesContent: false,
  minify: production,
  logLevel: 'warning',
};

await Promise.all([
  esbuild.build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }),
  // Activation loads only dist/extension.js; the engine and the simulator (MSAL, ajv, Halo's
  // OpenAPI subset) are files of their own, required on first use (src/extension/lazy.ts).
  esbuild.build({ ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode', './lazy/*', 'better-sqlite3'] }),
  esbuild.build({ ...common, entryPoints: { engine: 'src/extension/lazy/engine.ts', simulator: 'src/extension/lazy/simulator.ts' }, outdir: 'dist/lazy', external: ['vscode', 'better-sqlite3'] }),
  // Fixed output names: the hosts' HTML refers to dist/webview/main.js and main.css (the diff
  // panel) and reports.js and reports.css (the report view, with its charting library).
  esbuild.build({ ...webview, entryPoints: ['webview/src/main.ts'], outfile: 'dist/webview/main.js' }),
  esbuild.build({ ...webview, entryPoints: ['webview/reports/main.ts'], outfile: 'dist/webview/reports.js' }),
]);
