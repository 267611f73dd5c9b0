import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatReference, isReference, listReferences, parseReference, resolveReferences } from '../../src/core/secrets';

test('parseReference reads env and secret references', () => {
  assert.deepEqual(parseReference('${env:HALO_CLIENT_SECRET}'), { kind: 'env', name: 'HALO_CLIENT_SECRET' });
  assert.deepEqual(parseReference('${secret:halo.client-secret}'), { kind: 'secret', name: 'halo.client-secret' });
});

test('parseReference rejects literals and malformed references', () => {
  for (const v of [
    'Xk8~q2Yt.Pz',
    '${env:}',
    '${env:HALO SECRET}',
    '${env:HALO-SECRET}',
    '${ENV:HALO}',
    '$env:HALO',
    '{env:HALO}',
    ' ${env:HALO}',
    '${env:HALO}x',
    '${vault:HALO}',
    '${secret:.hidden}',
    42,
    null,
    undefined,
  ]) {
    assert.equal(parseReference(v), undefined, String(v));
    assert.equal(isReference(v), false, String(v));
  }
  assert.equal(isReference('${env:A}'), true);
});

test('formatReference is the inverse of parseReference', () => {
  for (const s of ['${env:A_1}', '${secret:x.y-z}']) assert.equal(formatReference(parseReference(s)!), s);
});

test('listReferences finds every reference with its path, in document order', () => {
  const mapping = {
    halo: { url: 'https://x', clientId: '${env:HALO_ID}', clientSecret: '${secret:HALO_SECRET}' },
    entra: [{ name: 'a', clientId: 'literal-id', certificate: { privateKey: '${env:KEY}' } }],
  };
  assert.deepEqual(listReferences(mapping), [
    { path: ['halo', 'clientId'], kind: 'env', name: 'HALO_ID' },
    { path: ['halo', 'clientSecret'], kind: 'secret', name: 'HALO_SECRET' },
    { path: ['entra', 0, 'certificate', 'privateKey'], kind: 'env', name: 'KEY' },
  ]);
});

test('resolveReferences replaces whole-string references and leaves the input untouched', () => {
  const input = { halo: { clientId: '${env:ID}', clientSecret: '${secret:S}', note: 'x ${env:ID}' }, n: [1, '${env:ID}'] };
  const frozen = JSON.stringify(input);
  const { value, missing } = resolveReferences(input, (kind, name) => `${kind}/${name}`);
  assert.deepEqual(value, { halo: { clientId: 'env/ID', clientSecret: 'secret/S', note: 'x ${env:ID}' }, n: [1, 'env/ID'] });
  assert.deepEqual(missing, []);
  assert.equal(JSON.stringify(input), frozen);
});

test('resolveReferences lists every missing reference and keeps it in place', () => {
  const { value, missing } = resolveReferences({ a: '${env:GONE}', b: ['${secret:ALSO_GONE}'], c: '${env:HERE}' }, (_k, name) =>
    name === 'HERE' ? 'here' : undefined,
  );
  assert.deepEqual(value, { a: '${env:GONE}', b: ['${secret:ALSO_GONE}'], c: 'here' });
  assert.deepEqual(missing, [
    { kind: 'env', name: 'GONE', path: ['a'] },
    { kind: 'secret', name: 'ALSO_GONE', path: ['b', 0] },
  ]);
});

test('resolveReferences passes the kind to the lookup', () => {
  const seen: string[] = [];
  resolveReferences(['${env:A}', '${secret:A}'], (kind, name) => {
    seen.push(`${kind}:${name}`);
    return '';
  });
  assert.deepEqual(seen, ['env:A', 'secret:A']);
});
