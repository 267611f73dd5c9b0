// The package: `npm run package` gives a .vsix holding only what the extension needs at run time,
// and code-server installs it.
import { after, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { harness, root, version, vsixPath } from '../harness';

/** Names of the entries of a zip file, from its central directory. */
function zipEntries(file: string): string[] {
  const buf = fs.readFileSync(file);
  // End of central directory: signature 0x06054b50, within the last 64 KiB + 22 bytes (comment).
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  assert.ok(eocd >= 0, `${file} is not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let n = 0; n < count; n++) {
    assert.equal(buf.readUInt32LE(at), 0x02014b50, 'corrupt central directory');
    const nameLength = buf.readUInt16LE(at + 28);
    const extraLength = buf.readUInt16LE(at + 30);
    const commentLength = buf.readUInt16LE(at + 32);
    names.push(buf.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

const vsix = vsixPath();
const scratch: string[] = [];
after(() => { for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 }); });

test('the .vsix holds the bundles, schema, media, manifest, README, changelog and licence, and nothing else', () => {
  assert.ok(fs.existsSync(vsix), `${vsix} is missing: run \`npm run package\` first`);
  const entries = zipEntries(vsix).filter(e => !e.endsWith('/')).sort();
  const allowed = [
    /^extension\.vsixmanifest$/, /^\[Content_Types\]\.xml$/,
    /^extension\/package\.json$/, /^extension\/readme\.md$/, /^extension\/changelog\.md$/, /^extension\/LICENSE\.txt$/,
    /^extension\/dist\/extension\.js$/, /^extension\/dist\/(lazy|webview)\/[^/]+\.(js|css)$/,
    /^extension\/schemas\/.+/, /^extension\/media\/.+/,
  ];
  const unexpected = entries.filter(e => !allowed.some(re => re.test(e)));
  assert.deepEqual(unexpected, [], `unexpected files in the .vsix:\n${unexpected.join('\n')}`);

  // Everything the manifest points at is inside.
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const needed = new Set<string>(['extension/dist/extension.js', 'extension/dist/webview/main.js', 'extension/dist/webview/main.css',
    'extension/package.json', 'extension/readme.md', 'extension/changelog.md', 'extension/LICENSE.txt']);
  const rel = (p: string) => `extension/${path.posix.normalize(p.replace(/^\.\//, ''))}`;
  needed.add(rel(manifest.main));
  // The Marketplace's icon, and the pictures the README shows by relative path.
  needed.add(rel(manifest.icon));
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  for (const m of readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)) if (!/^\w+:/.test(m[1])) needed.add(rel(m[1]));
  for (const l of manifest.contributes.languages ?? []) if (l.configuration) needed.add(rel(l.configuration));
  for (const g of manifest.contributes.grammars ?? []) needed.add(rel(g.path));
  for (const v of manifest.contributes.yamlValidation ?? []) needed.add(rel(v.url));
  for (const w of manifest.contributes.walkthroughs ?? []) for (const s of w.steps) if (s.media?.markdown) needed.add(rel(s.media.markdown));
  const absent = [...needed].filter(n => !entries.includes(n));
  assert.deepEqual(absent, [], `missing from the .vsix: ${absent.join(', ')}`);

  // The whole extension build ships (chunks loaded on first use included); the CLI does not.
  const built = (fs.readdirSync(path.join(root, 'dist'), { recursive: true }) as string[])
    .map(f => f.split(path.sep).join('/'))
    .filter(f => /\.(js|css)$/.test(f) && f !== 'cli.js')
    .map(f => `extension/dist/${f}`).sort();
  assert.deepEqual(entries.filter(e => e.startsWith('extension/dist/')), built);
  assert.ok(!entries.some(e => e.endsWith('.map')), 'source maps are not shipped');
});

test('code-server installs the .vsix and lists halo-identity.halo-identity', async () => {
  assert.ok(fs.existsSync(vsix), `${vsix} is missing: run \`npm run package\` first`);
  const dir = harness.scratch('vsix');
  scratch.push(dir);
  const profile = { home: path.join(dir, 'home'), userDataDir: path.join(dir, 'user-data'), extensionsDir: path.join(dir, 'extensions') };
  const installed = await harness.codeServerCli(['--install-extension', vsix], profile);
  assert.match(installed, /successfully installed/i, installed);
  const listed = await harness.codeServerCli(['--list-extensions', '--show-versions'], profile);
  assert.ok(listed.split('\n').map(l => l.trim()).includes(`halo-identity.halo-identity@${version()}`), listed);
  assert.ok(fs.existsSync(path.join(profile.extensionsDir, `halo-identity.halo-identity-${version()}`, 'dist', 'extension.js')));
});
