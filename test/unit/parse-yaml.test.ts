import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMapping } from '../../src/core/parse';
import { HEADER, only, problems, withBody } from './mapping-text';

test('a YAML syntax error is positioned and gives no mapping', () => {
  const text = ['version: 1', 'halo:', '  url: https://contoso.halopsa.com', ' clientId: x', ''].join('\n');
  const result = parseMapping(text);
  assert.equal(result.mapping, null);
  assert.deepEqual(problems(text), ['4:1: error: invalid YAML: all mapping items must start at the same column']);
  assert.deepEqual(result.diagnostics[0].range.start, { line: 3, character: 0 });
  assert.equal(result.diagnostics[0].code, 'yaml-syntax');
});

test('an unclosed flow list is a syntax error at the line that cannot continue it', () => {
  const d = only(withBody('match:', '  users: [azureoid, emailaddress', 'agents: []'));
  assert.equal(d.code, 'yaml-syntax');
  assert.deepEqual(d.range.start, { line: 12, character: 0 });
});

test('a duplicate key is an error on the second occurrence, naming the key', () => {
  const d = only(withBody('deprovision:', '  users: ignore', '  orphans: report', '  users: deactivate'));
  assert.equal(d.code, 'duplicate-key');
  assert.equal(d.message, 'duplicate key "users": a key may appear only once in the same section');
  assert.deepEqual(d.range, { start: { line: 13, character: 2 }, end: { line: 13, character: 7 } });
});

test('tabs used for indentation get a plain-words message', () => {
  assert.deepEqual(problems('version: 1\nhalo:\n\turl: x\n'), ['3:1: error: YAML does not allow tabs for indentation: indent with spaces']);
});

test('a second YAML document is an error at its separator', () => {
  assert.deepEqual(problems(`${HEADER}\n---\nversion: 1\n`), [
    '11:1: error: the file must hold a single YAML document: remove this "---" and what follows, or merge the two',
  ]);
});

test('an empty file gets one error at the very start', () => {
  for (const text of ['', '\n\n', '# only a comment\n', '---\n']) {
    const result = parseMapping(text);
    assert.equal(result.mapping, null);
    assert.deepEqual(problems(text), ['1:1: error: the file is empty: a mapping file starts with "version: 1" followed by halo: and entra:'], JSON.stringify(text));
  }
});

test('a file that is a list or a single value gets one error at the very start', () => {
  assert.deepEqual(problems('- version: 1\n'), ['1:1: error: the file must be a mapping of keys (version, halo, entra, ...), not a list']);
  assert.deepEqual(problems('# hello\nhalo-identity\n'), [
    '1:1: error: the file must be a mapping of keys (version, halo, entra, ...), not a single value',
  ]);
});

test('an alias bomb is rejected quickly, at its first alias', () => {
  let text = `${HEADER}\nx0: &x0 [${Array(10).fill('"lol"').join(', ')}]\n`;
  for (let i = 1; i <= 30; i++) text += `x${i}: &x${i} [${Array(10).fill(`*x${i - 1}`).join(', ')}]\n`;
  const started = process.hrtime.bigint();
  const result = parseMapping(text);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  assert.equal(result.mapping, null);
  assert.equal(result.diagnostics.length, 1);
  assert.equal(result.diagnostics[0].code, 'alias-limit');
  assert.deepEqual(result.diagnostics[0].range.start, { line: 11, character: 9 });
  assert.ok(ms < 1000, `took ${ms} ms`);
});

test('an alias to an anchor that does not exist is an error at the alias', () => {
  const d = only(withBody('agents:', '  - rule: desk', '    from: *desk'));
  assert.equal(d.code, 'unknown-alias');
  assert.equal(d.message, 'unknown alias "*desk": define the anchor &desk before using it');
  assert.deepEqual(d.range.start, { line: 12, character: 10 });
});

test('anchors, aliases and merge keys are allowed, and positions follow them', () => {
  const text = withBody(
    'users:',
    '  - &staff',
    '    rule: head-office',
    '    from: { group: All Staff }',
    '    client: Contoso',
    '    site: Head Office',
    '  - <<: *staff',
    '    rule: branch',
    '    from: { group: Branch Staff }',
    '    site: Branch',
  );
  const result = parseMapping(text);
  assert.deepEqual(result.diagnostics, []);
  assert.deepEqual(result.mapping!.users![1], { rule: 'branch', from: { group: 'Branch Staff' }, client: 'Contoso', site: 'Branch' });
  // A merged key is found where it is written.
  assert.deepEqual(result.rangeOf(['users', 1, 'client'])!.start, { line: 14, character: 12 });
  assert.deepEqual(result.rangeOf(['users', 1, 'site'])!.start, { line: 19, character: 10 });
});

test('YAML warnings are reported as warnings and keep the mapping', () => {
  const result = parseMapping(withBody('deprovision:', '  orphans: !custom report'));
  assert.notEqual(result.mapping, null);
  assert.equal(result.diagnostics.length, 1);
  assert.equal(result.diagnostics[0].severity, 'warning');
  assert.equal(result.diagnostics[0].code, 'yaml-warning');
  assert.deepEqual(result.diagnostics[0].range.start, { line: 11, character: 11 });
});

test('rangeOf, keyRangeOf and headRangeOf locate values, keys and items (zero-based)', () => {
  const text = withBody('agents:', '  - rule: service-desk', '    from:', '      group: SG-Halo-Agents', '    licence:', '');
  const result = parseMapping(text);
  assert.deepEqual(result.rangeOf(['agents', 0, 'from', 'group']), { start: { line: 13, character: 13 }, end: { line: 13, character: 27 } });
  assert.deepEqual(result.keyRangeOf(['agents', 0, 'from']), { start: { line: 12, character: 4 }, end: { line: 12, character: 8 } });
  assert.deepEqual(result.headRangeOf(['agents', 0]), { start: { line: 11, character: 4 }, end: { line: 11, character: 22 } });
  // An empty value is located by its key.
  assert.deepEqual(result.rangeOf(['agents', 0, 'licence']), { start: { line: 14, character: 4 }, end: { line: 14, character: 11 } });
  assert.equal(result.rangeOf(['agents', 3]), undefined);
  assert.equal(result.keyRangeOf(['agents', 0]), undefined);
});
