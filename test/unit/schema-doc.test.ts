import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = join(__dirname, '../../..');
const START = '<!-- mapping-reference:start -->\n';
const END = '<!-- mapping-reference:end -->';

const generated = execFileSync(process.execPath, [join(ROOT, 'scripts/schema-doc.mjs')], { encoding: 'utf8' });

test('README.md holds exactly the generated mapping reference (npm run docs:mapping)', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  assert.ok(start >= 0 && end > start, 'README.md lacks the mapping-reference markers');
  assert.equal(readme.slice(start + START.length, end), generated);
});

test('the reference has a table per section and a row per key of the schema', () => {
  const schema = JSON.parse(readFileSync(join(ROOT, 'schemas/halo-identity.schema.json'), 'utf8'));
  for (const title of ['Top level', '`halo`', '`halo.rateLimit`', '`entra[]`', '`entra[].certificate`', '`agents[]`', '`agents[].from`', '`users[]`', '`roles[]`', '`cab[]`', '`fields`', '`deprovision`', '`protect[]`', '`safety`']) {
    assert.ok(generated.includes(`\n### ${title}\n`), title);
  }
  for (const key of Object.keys(schema.properties)) assert.match(generated, new RegExp(`^\\| \`${key}\` \\|`, 'm'), key);
  for (const key of Object.keys(schema.definitions.userRule.properties)) assert.match(generated, new RegExp(`^\\| \`${key}\` \\|`, 'm'), key);
  assert.match(generated, /^\| `pageSize` \| integer \| `1000` \| 1 to 1000 \| /m);
  assert.match(generated, /^\| `licence` \| text \| `unchanged` \| `named`, `concurrent`, `unchanged` \| /m);
  assert.match(generated, /^\| `clientSecret` \| secret reference \| required \| /m);
});
