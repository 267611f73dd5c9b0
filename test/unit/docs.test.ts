// The README and the embedded example cannot drift from the code they describe.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { WIRE_ASSUMPTIONS } from '../../src/halo/wire';
import { EXAMPLE_MAPPING } from '../../src/sim/example-mapping';

const ROOT = path.resolve(__dirname, '../../..');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

describe('docs', () => {
  it('lists every Halo wire assumption in the README', () => {
    for (const a of WIRE_ASSUMPTIONS) {
      const topic = a.topic.replace(/licence_type/, '`licence_type`').split(' (')[0];
      assert.ok(readme.includes(topic.replace(/`/g, '')) || readme.includes(topic), `README lacks the assumption "${a.topic}"`);
    }
  });

  it('embeds the normative example unchanged', () => {
    assert.equal(EXAMPLE_MAPPING, fs.readFileSync(path.join(ROOT, 'examples/halo-identity.yaml'), 'utf8'));
    const shared = path.join(ROOT, '../shared/examples/halo-identity.yaml');
    if (fs.existsSync(shared)) assert.equal(EXAMPLE_MAPPING, fs.readFileSync(shared, 'utf8'));
  });

  it('gives the test command that CI runs', () => {
    assert.match(readme, /```sh\nnpm test\n```/);
    assert.match(fs.readFileSync(path.join(ROOT, '.ci/run'), 'utf8'), /^npm test$/m);
  });
});
