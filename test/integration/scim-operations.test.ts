// Operating the SCIM bridge: plan reads what IdPs pushed from the store file and through a running
// bridge alike; credentials rotate; each connection is rate-limited; audit lines keep secrets and
// personal data out.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseDocument } from 'yaml';
import { planJson } from '../../src/core/render';
import { connect } from '../../src/engine/connections';
import { readMappingFile, validMapping } from '../../src/engine/mapping-file';
import { planWith } from '../../src/engine/run';
import { BridgeAuth } from '../../src/scim/auth';
import { Bridge, startBridge } from '../../src/scim/bridge';
import type { AuditLine } from '../../src/scim/server';
import { ENTRA_CLIENT_ID, SCIM_ENTRA, SCIM_ENV, SCIM_GROUPS, SCIM_OKTA, scimMapping } from '../../src/sim/example-scim';
import { EntraProvisioning, people, ScimClient } from '../support/scim-idp';
import { SimEnv, startSimEnv } from '../support/sim-env';

describe('plan reads what was pushed: from the store, and through the bridge', () => {
  let sim: SimEnv;
  let bridge: Bridge;
  const audit: AuditLine[] = [];
  const env = () => ({ ...sim.sims.env, ...SCIM_ENV });
  const lookup = (kind: string, name: string) => (kind === 'env' ? env()[name] : undefined);
  const staff = people(6, 'planned');

  before(async () => {
    sim = await startSimEnv({ mapping: scimMapping() });
    const m = readMappingFile(sim.file);
    bridge = await startBridge({ mapping: validMapping(m), baseDir: m.baseDir, lookup, listen: { host: '127.0.0.1', port: 0 }, noSync: true, audit: (l) => audit.push(l) });
    const entra = new EntraProvisioning(new ScimClient(`${bridge.url}/scim/v2`, () => `Bearer ${SCIM_ENV.SCIM_ENTRA_TOKEN}`));
    for (const u of staff) await entra.provision(u);
    await entra.group('g', SCIM_GROUPS.staff);
    await entra.addMembers('g', staff);
    await entra.disable(staff[5]);
  });
  after(async () => {
    await bridge.stop();
    await sim.close();
  });

  async function planFrom(settings: Record<string, unknown>, secrets: Record<string, string> = env()): Promise<string> {
    const doc = parseDocument(fs.readFileSync(sim.file, 'utf8'));
    for (const i of [0, 1]) for (const [k, v] of Object.entries(settings)) doc.setIn(['scim', i, k], v);
    // Each plan from a state folder of its own: a plan remembers links and counts that the next would start from.
    const file = path.join(fs.mkdtempSync(path.join(sim.dir, 'variant-')), 'halo-identity.yaml');
    fs.writeFileSync(file, doc.toString());
    const m = readMappingFile(file);
    const conns = await connect(validMapping(m), { baseDir: m.baseDir, lookup: (kind, name) => (kind === 'env' ? secrets[name] : undefined), haloBackoffMs: [10], directoryRetry: { maxAttempts: 2, baseDelayMs: 10 } });
    try {
      const run = await planWith(conns);
      assert.equal(run.plan.blocked, null);
      return planJson(run.plan);
    } finally {
      conns.close();
    }
  }

  it('gives the same plan from the store file and from the bridge over HTTP', async () => {
    const fromStore = await planFrom({ store: bridge.store.file });
    const fromBridge = await planFrom({ url: bridge.url });
    assert.equal(fromBridge, fromStore);
    const plan = JSON.parse(fromStore) as { changes: Array<{ action: string; name?: string; title?: string }> };
    const creates = plan.changes.filter((c) => c.action === 'create');
    assert.ok(creates.length >= 5, `the pushed staff are created (${creates.length} creates)`);
    assert.ok(audit.some((l) => l.connection === SCIM_OKTA && l.summary.startsWith('query users')), 'the okta connection was read with its own credentials');
  });

  it("plans from the store file without the IdP's secrets, which only the bridge needs", async () => {
    const withAll = await planFrom({ store: bridge.store.file });
    const withoutScimSecrets = await planFrom({ store: bridge.store.file }, sim.sims.env);
    assert.equal(withoutScimSecrets, withAll);
    await assert.rejects(planFrom({ url: bridge.url }, sim.sims.env), /Missing credentials: environment variable SCIM_ENTRA_TOKEN/, 'reading through the bridge needs them');
  });

  it('keeps the store and its WAL readable by the bridge alone', () => {
    for (const f of [bridge.store.file, `${bridge.store.file}-wal`]) assert.equal(fs.statSync(f).mode & 0o777, 0o600, f);
  });

  it('refuses to plan from a store that does not exist, rather than reading nobody', async () => {
    await assert.rejects(planFrom({ store: 'no-such-store.db' }), /does not exist/);
  });

  it('serves each connection at /scim/{connection}/v2 too, and only to its own credentials', async () => {
    const get = (conn: string) => fetch(`${bridge.url}/scim/${conn}/v2/Users?count=1`, { headers: { Authorization: `Bearer ${SCIM_ENV.SCIM_ENTRA_TOKEN}` } });
    const own = await get(SCIM_ENTRA);
    assert.equal(own.status, 200);
    const body = (await own.json()) as { totalResults: number; Resources: Array<{ meta: { location: string } }> };
    assert.equal(body.totalResults, staff.length);
    assert.ok(body.Resources[0].meta.location.startsWith(`${bridge.url}/scim/${SCIM_ENTRA}/v2/Users/`));
    const other = await get(SCIM_OKTA);
    assert.equal(other.status, 403);
    assert.equal(((await other.json()) as { status: string }).status, '403');
  });

  it('writes audit lines without tokens, filter values or personal data', () => {
    const text = audit.map((l) => JSON.stringify(l)).join('\n');
    for (const secret of Object.values(SCIM_ENV)) assert.ok(!text.includes(secret), 'no secret in the audit');
    for (const u of staff) {
      assert.ok(!text.includes(u.upn) && !text.includes(u.mail), `no address of ${u.upn} in the audit`);
    }
    const create = audit.find((l) => l.summary === 'create user');
    assert.ok(create?.id && create.connection === SCIM_ENTRA && create.status === 201 && create.requestId);
    assert.ok(audit.some((l) => l.path === '/scim/v2/Users?filter' && /userName eq …/.test(l.summary)));
  });
});

describe('credentials and limits', () => {
  it('issues access tokens by client credentials from any of several secrets, and rotation ends the old ones', () => {
    const a = 'a'.repeat(40);
    const b = 'b'.repeat(40);
    const both = new BridgeAuth([{ connection: 'okta', tokens: [], clientId: 'okta', clientSecrets: [a, b], tokenMinutes: 60 }]);
    const form = (secret: string, grant = 'client_credentials') => new URLSearchParams({ grant_type: grant, client_id: 'okta', client_secret: secret });
    const fromA = both.token(form(a), undefined);
    const fromB = both.token(new URLSearchParams({ grant_type: 'client_credentials' }), `Basic ${Buffer.from(`okta:${b}`).toString('base64')}`);
    assert.equal(fromA.status, 200);
    assert.equal(fromB.status, 200);
    assert.equal(fromA.body.expires_in, 3600);
    const bearer = (t: { body: Record<string, unknown> }) => `Bearer ${String(t.body.access_token)}`;
    assert.equal(both.connectionOf(bearer(fromA)), 'okta');
    assert.equal(both.connectionOf(bearer(fromB)), 'okta');
    const rotated = new BridgeAuth([{ connection: 'okta', tokens: [], clientId: 'okta', clientSecrets: [b], tokenMinutes: 60 }]);
    assert.equal(rotated.connectionOf(bearer(fromA)), undefined, 'a token of a retired secret is refused');
    assert.equal(rotated.connectionOf(bearer(fromB)), 'okta');
    assert.equal(both.token(form('c'.repeat(40)), undefined).status, 401);
    assert.equal(both.token(form(a, 'password'), undefined).body.error, 'unsupported_grant_type');
    const tampered = String(fromA.body.access_token).replace(/\.([^.]+)\./, (_, p: string) => `.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), c: 'other' })).toString('base64url')}.`);
    assert.equal(both.connectionOf(`Bearer ${tampered}`), undefined, 'a token claiming another connection is refused');
    const expired = new BridgeAuth([{ connection: 'okta', tokens: [], clientId: 'okta', clientSecrets: [a], tokenMinutes: -1 }]);
    assert.equal(expired.connectionOf(bearer(expired.token(form(a), undefined))), undefined, 'an expired token is refused');
  });

  it('refuses short secrets and secrets two connections share', () => {
    assert.throws(() => new BridgeAuth([{ connection: 'x', tokens: ['short'], clientSecrets: [], tokenMinutes: 60 }]), /at least 32/);
    const t = 't'.repeat(40);
    assert.throws(() => new BridgeAuth([{ connection: 'x', tokens: [t], clientSecrets: [], tokenMinutes: 60 }, { connection: 'y', tokens: [t], clientSecrets: [], tokenMinutes: 60 }]), /shares a secret/);
  });

  it('answers a connection over its rate with 429 and an integer Retry-After, other connections unaffected', async () => {
    const sim = await startSimEnv({ mapping: scimMapping() });
    const m = readMappingFile(sim.file);
    const env = { ...sim.sims.env, ...SCIM_ENV };
    const bridge = await startBridge({ mapping: validMapping(m), baseDir: m.baseDir, lookup: (k, n) => (k === 'env' ? env[n] : undefined), listen: { host: '127.0.0.1', port: 0 }, noSync: true, rateLimit: { perSecond: 1, burst: 3 } });
    try {
      const get = (token: string) => fetch(`${bridge.url}/scim/v2/Users?count=1`, { headers: { Authorization: `Bearer ${token}` } });
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push(await get(SCIM_ENV.SCIM_ENTRA_TOKEN));
      const limited = answers.filter((r) => r.status === 429);
      assert.ok(limited.length >= 2, `${limited.length} of 6 limited`);
      assert.match(limited[0].headers.get('retry-after') ?? '', /^\d+$/);
      const body = (await limited[0].json()) as { status: string; schemas: string[] };
      assert.equal(body.status, '429');
      assert.equal((await get(SCIM_ENV.SCIM_ENTRA_TOKEN_NEXT)).status, 429, 'the rotation token is the same connection, limited with it');
      assert.equal((await get(SCIM_ENV.SCIM_OKTA_TOKEN)).status, 200, 'another connection has its own bucket');
      const token = await fetch(`${bridge.url}/oauth/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `grant_type=client_credentials&client_id=${ENTRA_CLIENT_ID}&client_secret=${SCIM_ENV.SCIM_ENTRA_CLIENT_SECRET}` });
      const access = ((await token.json()) as { access_token: string }).access_token;
      assert.equal((await get(access)).status, 429, "an access token speaks for its connection, and shares that connection's limit");
    } finally {
      await bridge.stop();
      await sim.close();
    }
  });
});
