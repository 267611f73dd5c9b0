// `npm run screenshots` still works against the packaged extension: the same script, into a scratch
// folder. Each picture exists, is a PNG of the fixed viewport's size and is not blank; the pixels are
// not compared (they hold times, ports and journal names). The script itself checks, in the page,
// that each picture shows what it claims before it is taken.
import { after, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { harness, root } from '../harness';
import { colourStats, decode, readHeader } from '../png';
import { SHOTS, takeScreenshots, VIEWPORT } from '../screenshots';

/** Below this a 1400 × 900 workbench picture is mostly empty; the committed ones are 50-115 KB. */
const MIN_BYTES = 20_000;
/** What the README and the .vsix can carry per picture. */
const MAX_BYTES = 300_000;

const scratch: string[] = [];
after(() => { for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 }); });

test('npm run screenshots takes every picture the README shows, each of the viewport size and not blank', async (t) => {
  const out = harness.scratch('screenshots');
  scratch.push(out);
  const t0 = Date.now();
  const taken = await takeScreenshots(out, (line) => t.diagnostic(line));
  t.diagnostic(`${taken.length} pictures in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  assert.deepEqual(taken.map((s) => s.name).sort(), SHOTS.map((s) => s.name).sort());
  for (const shot of SHOTS) {
    const file = path.join(out, shot.name);
    assert.ok(fs.existsSync(file), `${shot.name} was not written`);
    const png = fs.readFileSync(file);
    const { width, height } = readHeader(png);
    assert.deepEqual({ width, height }, { width: VIEWPORT.width, height: VIEWPORT.height }, `${shot.name} size`);
    assert.ok(png.length >= MIN_BYTES && png.length <= MAX_BYTES, `${shot.name} is ${png.length} bytes (expected ${MIN_BYTES}-${MAX_BYTES})`);
    const { distinct, commonestShare } = colourStats(decode(png));
    t.diagnostic(`${shot.name}: ${png.length} bytes, ${distinct} colours, the commonest on ${(commonestShare * 100).toFixed(0)} % of the pixels`);
    assert.ok(distinct >= 32, `${shot.name} has only ${distinct} colours: a blank or half-drawn page?`);
    assert.ok(commonestShare < 0.95, `${shot.name} is ${(commonestShare * 100).toFixed(0)} % one colour: a blank page?`);
  }
});

test('the README shows the committed pictures, and every picture it shows is committed', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const shown = [...readme.matchAll(/!\[[^\]]*\]\((media\/screenshots\/[^)\s]+)\)/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(shown)].sort(), SHOTS.map((s) => `media/screenshots/${s.name}`).sort());
  for (const rel of shown) {
    const png = fs.readFileSync(path.join(root, rel));
    const { width, height } = readHeader(png);
    assert.deepEqual({ width, height }, { width: VIEWPORT.width, height: VIEWPORT.height }, rel);
    assert.ok(png.length <= MAX_BYTES, `${rel} is ${png.length} bytes`);
  }
});
