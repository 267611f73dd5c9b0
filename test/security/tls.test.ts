// Transport security: TLS verification is never turned off in the product code, and plain http
// is refused for anything but this machine, both at the URL check and when connecting.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parseDocument } from 'yaml';
import { connect } from '../../src/engine/connections';
import { parseMapping } from '../../src/core/parse';
import { planWith } from '../../src/engine/run';
import { assertSecureUrl, HttpClient } from '../../src/net/http';
import { EXAMPLE_MAPPING } from '../../src/sim/example-mapping';
import { record, ROOT } from '../faults/support';

const env = { HALO_CLIENT_ID: 'id', HALO_CLIENT_SECRET: 'secret-value', ENTRA_CLIENT_ID: 'id', ENTRA_CLIENT_SECRET: 'secret-value' };

/** Validation already refuses plain http off this machine; connect refuses it again (defence in depth). */
function mappingWith(changes: Array<[Array<string | number>, unknown]>, insecure: string[]) {
  const doc = parseDocument(EXAMPLE_MAPPING);
  for (const [p, v] of changes) doc.setIn(p, doc.createNode(v));
  const parsed = parseMapping(doc.toString());
  assert.equal(parsed.mapping, null);
  assert.deepEqual(parsed.diagnostics.map((d) => `${d.code} ${d.path.join('.')}`), insecure.map((p) => `insecure-url ${p}`));
  assert.ok(parsed.typed);
  return parsed.typed;
}

describe('security: TLS', () => {
  it('no code in src/ disables certificate verification', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.(ts|js|mjs)$/.test(e.name)) {
          const text = fs.readFileSync(p, 'utf8');
          if (/rejectUnauthorized\s*:\s*(false|0)/.test(text) || /NODE_TLS_REJECT_UNAUTHORIZED/.test(text) || /checkServerIdentity\s*:/.test(text)) offenders.push(path.relative(ROOT, p));
        }
      }
    };
    walk(path.join(ROOT, 'src'));
    assert.deepEqual(offenders, []);
    // The HTTP client's agent adds CAs to Node's roots; it never replaces verification.
    assert.equal((new HttpClient({ ca: ['x'] }).agentOptions as { rejectUnauthorized?: boolean }).rejectUnauthorized, undefined);
  });

  it('assertSecureUrl: https anywhere, http only on loopback', () => {
    for (const ok of ['https://contoso.halopsa.com', 'http://127.0.0.1:8080', 'http://localhost:3000', 'http://[::1]:3000']) assert.doesNotThrow(() => assertSecureUrl(ok, 'halo.url'), ok);
    for (const bad of ['http://example.com', 'http://10.0.0.5', 'http://127.0.0.1.nip.io', 'http://localhost.example.com', 'ftp://example.com', 'not a url']) {
      assert.throws(() => assertSecureUrl(bad, 'halo.url'), /halo\.url (must use https|is not a valid URL)/, bad);
    }
  });

  it('connect refuses an http Halo URL that is not loopback, with a clear error', async () => {
    const mapping = mappingWith([[['halo', 'url'], 'http://example.com']], ['halo.url']);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halo-identity-tls-'));
    try {
      await assert.rejects(connect(mapping, { baseDir: dir, lookup: (_k, n) => env[n as keyof typeof env] }), /halo\.url must use https \(plain http is allowed only on this machine\): http:\/\/example\.com/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an http Entra cloud that is not loopback is refused before any credential is sent', async () => {
    const mapping = mappingWith([[['entra', 0, 'cloud'], { loginUrl: 'http://example.com', graphUrl: 'http://example.com' }], [['halo', 'url'], 'https://127.0.0.1:1']], ['entra.0.cloud.loginUrl', 'entra.0.cloud.graphUrl']);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halo-identity-tls-'));
    const conns = await connect(mapping, { baseDir: dir, lookup: (_k, n) => env[n as keyof typeof env], haloBackoffMs: [], directoryRetry: { maxAttempts: 1 } });
    try {
      await assert.rejects(planWith(conns), /cloud\.loginUrl must use https/);
    } finally {
      conns.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    record({ id: 'security-http-refused', area: 'security', input: 'halo.url http://example.com; entra cloud http://example.com', expected: 'clear error, nothing sent', observed: 'refused: "must use https (plain http is allowed only on this machine)"', faultsInjected: 2, passed: true });
  });
});
