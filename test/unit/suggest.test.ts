import assert from 'node:assert/strict';
import { test } from 'node:test';
import { didYouMean, editDistance, suggest } from '../../src/core/suggest';

test('editDistance counts a transposition as one edit', () => {
  assert.equal(editDistance('clinet', 'client'), 1);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('same', 'same'), 0);
});

test('suggest ranks close names first and drops distant ones', () => {
  assert.deepEqual(suggest('clinet', ['client', 'site', 'siteFrom', 'roles']), ['client']);
  assert.deepEqual(suggest('agnets', ['agents', 'users', 'halo']), ['agents']);
  assert.deepEqual(suggest('zzz', ['agents', 'users']), []);
});

test('suggest prefers a case-only difference and matches prefixes', () => {
  assert.deepEqual(suggest('technician', ['Technicians', 'Technician']), ['Technician', 'Technicians']);
  assert.deepEqual(suggest('Service', ['Service Desk', 'Sales']), ['Service Desk']);
});

test('suggest never offers the word itself and honours max', () => {
  assert.deepEqual(suggest('a', ['a', 'b', 'c', 'd'], { max: 2 }), ['b', 'c']);
});

test('didYouMean phrases the best suggestion', () => {
  assert.equal(didYouMean(['client', 'clients']), ' (did you mean "client"?)');
  assert.equal(didYouMean([]), '');
});
