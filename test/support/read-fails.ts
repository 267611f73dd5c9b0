// A directory read that must fail: with a DirectoryReadError whose message matches, and never with
// a secret in it.
import assert from 'node:assert/strict';
import { DirectoryReadError } from '../../src/sources/errors';

export async function readFails(p: Promise<unknown>, pattern: RegExp, secret?: string): Promise<DirectoryReadError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof DirectoryReadError, `not a DirectoryReadError: ${e}`);
    assert.match(e.message, pattern);
    if (secret) assert.ok(!e.message.includes(secret), 'a secret is in the message');
    return e;
  }
  assert.fail('the read succeeded');
}
