// Every file in test/fixtures/bad is a broken mapping; its sibling `.expected` lists the
// diagnostics, one `LINE:COL: severity: message` (one-based) a line. New fixtures need only the
// two files. UPDATE_EXPECTED=1 rewrites the `.expected` files from the current output.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatDiagnostic, parseMapping } from '../../src/core/parse';

const DIR = join(__dirname, '../../../test/fixtures/bad');
const fixtures = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();

test('the corpus holds at least ten broken files', () => {
  assert.ok(fixtures.length >= 10, `${fixtures.length} fixtures`);
});

for (const file of fixtures) {
  test(`fixture ${file}`, () => {
    const actual = parseMapping(readFileSync(join(DIR, file), 'utf8')).diagnostics.map(formatDiagnostic);
    const expectedFile = join(DIR, file.replace(/\.yaml$/, '.expected'));
    if (process.env.UPDATE_EXPECTED === '1') writeFileSync(expectedFile, actual.map((l) => `${l}\n`).join(''));
    assert.ok(existsSync(expectedFile), `${file} has no .expected; it reports:\n${actual.join('\n')}`);
    const expected = readFileSync(expectedFile, 'utf8').split('\n').filter((l) => l.trim());
    assert.ok(expected.length > 0, `${file}: a broken file must report something`);
    assert.deepEqual(actual, expected);
  });
}
