// Okta's "SCIM 2.0 SPEC Test" (the Runscope test Okta publishes for integrations to pass before
// submission: okta/okta-developer-docs, packages/@okta/vuepress-site/.vuepress/public/standards/
// SCIM/SCIMFiles/Okta-SCIM-20-SPEC-Test.json), ported: the same requests in the same order, with
// its headers and its checks, against the bridge over HTTP. Left out: its pauses between steps
// (5–10 s, for a hosted service's replication) and its "/Groups answers in under 600 ms" (a
// timing, which the bench measures; a test here does not time anything). Added after it: the two
// requests Okta sends when an integration is saved (scim.md §3), paged with integers.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BridgeAuth } from '../../src/scim/auth';
import { groupIn, userIn } from '../../src/scim/protocol/resources';
import { BridgeServer, SCIM_BASE, startBridgeServer } from '../../src/scim/server';
import { ScimStore } from '../../src/scim/store';

const TOKEN = 'okta-spec-test-token-0123456789abcdefghijklmnop';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Runscope's not_empty: there, and not null, "" or []. */
function notEmpty(v: unknown, what: string): void {
  assert.ok(v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0), `${what} is empty: ${JSON.stringify(v)}`);
}

function isInteger(v: unknown, what: string): void {
  assert.ok(Number.isInteger(v), `${what} is not an integer: ${JSON.stringify(v)}`);
}

describe("Okta's SCIM 2.0 spec test", () => {
  let dir: string;
  let store: ScimStore;
  let bridge: BridgeServer;
  // The test's variables: what its environment gives, and what its steps keep.
  const suffix = randomUUID().slice(0, 8);
  const vars = {
    InvalidUserEmail: `no.such.user.${suffix}@example.com`,
    UserIdThatDoesNotExist: `010101${suffix}`,
    randomEmail: `runscope.email.${suffix}@atko.com`,
    randomUsername: `runscope${suffix}@atko.com`,
    randomGivenName: `Given${suffix}`,
    randomFamilyName: `Family${suffix}`,
    ISVUserid: '',
    idUserOne: '',
    randomUserEmail: '',
  };
  const randomUsernameCaps = () => vars.randomUsername.toUpperCase();

  /** One request as the Runscope test sends it (its Accept, Accept-Charset and User-Agent). */
  const scim = async (method: string, pathAndQuery: string, options: { body?: unknown; authorization?: string; contentType?: string } = {}) => {
    const res = await fetch(`${bridge.url}${SCIM_BASE}${pathAndQuery}`, {
      method,
      headers: {
        Accept: 'application/scim+json',
        'Accept-Charset': 'utf-8',
        'User-Agent': 'OKTA SCIM Integration',
        Authorization: options.authorization ?? `Bearer ${TOKEN}`,
        'Content-Type': options.contentType ?? 'application/scim+json; charset=utf-8',
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type') ?? '', json: (text ? JSON.parse(text) : undefined) as Json };
  };
  const filter = (f: string) => `filter=${encodeURIComponent(f)}`;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halo-identity-scim-okta-'));
    store = ScimStore.open(path.join(dir, 'scim.db'));
    // The test needs one user already there, with a name, userName, active and an email; and the
    // groups step reads a non-empty list when there is a group (its other branch is an empty one).
    const existing = store.createUser('okta', userIn({ schemas: [USER], userName: 'isv.user@example.com', name: { givenName: 'Isla', familyName: 'Vendor' }, emails: [{ primary: true, type: 'work', value: 'isv.user@example.com' }], displayName: 'Isla Vendor', active: true }));
    store.createGroup('okta', groupIn({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Okta Everyone', members: [{ value: existing.id }] }));
    const auth = new BridgeAuth([{ connection: 'okta', tokens: [TOKEN], clientSecrets: [], tokenMinutes: 60 }]);
    bridge = await startBridgeServer({ store, auth }, { host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await bridge?.close();
    store?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('Required: the Users endpoint lists users (count=1&startIndex=1) with id, names, userName, active and an email', async () => {
    const r = await scim('GET', '/Users?count=1&startIndex=1');
    assert.equal(r.status, 200);
    assert.match(r.type, /^application\/scim\+json/);
    notEmpty(r.json.Resources, 'Resources');
    assert.ok(r.json.schemas.includes(LIST));
    for (const k of ['itemsPerPage', 'startIndex', 'totalResults']) isInteger(r.json[k], k);
    assert.equal(r.json.Resources.length, 1, 'count=1');
    const u = r.json.Resources[0];
    for (const [v, what] of [[u.id, 'id'], [u.name?.familyName, 'name.familyName'], [u.name?.givenName, 'name.givenName'], [u.userName, 'userName'], [u.active, 'active'], [u.emails?.[0]?.value, 'emails[0].value']] as const) notEmpty(v, what);
    vars.ISVUserid = u.id;
  });

  it('Required: GET Users/{id} answers that user', async () => {
    const r = await scim('GET', `/Users/${vars.ISVUserid}`);
    assert.equal(r.status, 200);
    for (const k of ['id', 'userName', 'active']) notEmpty(r.json[k], k);
    notEmpty(r.json.name?.familyName, 'name.familyName');
    notEmpty(r.json.name?.givenName, 'name.givenName');
    notEmpty(r.json.emails?.[0]?.value, 'emails[0].value');
    assert.equal(r.json.id, vars.ISVUserid);
  });

  it('Required: a userName filter that matches nobody is 200 with totalResults 0', async () => {
    const r = await scim('GET', `/Users?${filter(`userName eq "${vars.InvalidUserEmail}"`)}`);
    assert.equal(r.status, 200);
    assert.ok(r.json.schemas.includes(LIST));
    assert.equal(r.json.totalResults, 0);
    assert.deepEqual(r.json.Resources, []);
  });

  it('Required: an id that does not exist is 404 with an Error and its detail', async () => {
    const r = await scim('GET', `/Users/${vars.UserIdThatDoesNotExist}`);
    assert.equal(r.status, 404);
    notEmpty(r.json.detail, 'detail');
    assert.ok(r.json.schemas.includes(ERROR));
  });

  it('Required: the random user to be created does not exist yet', async () => {
    const r = await scim('GET', `/Users?${filter(`userName eq "${vars.randomEmail}"`)}`);
    assert.equal(r.status, 200);
    assert.equal(r.json.totalResults, 0);
    assert.ok(r.json.schemas.includes(LIST));
  });

  const createBody = (email: string) => ({
    schemas: [USER],
    userName: vars.randomUsername,
    name: { givenName: vars.randomGivenName, familyName: vars.randomFamilyName },
    emails: [{ primary: true, value: email, type: 'work' }],
    displayName: `${vars.randomGivenName} ${vars.randomFamilyName}`,
    active: true,
  });

  it('Required: creating a user with realistic values is 201 with the user, active true', async () => {
    // This step sends plain application/json, as Okta does.
    const r = await scim('POST', '/Users', { body: createBody(vars.randomEmail), contentType: 'application/json' });
    assert.equal(r.status, 201);
    assert.equal(r.json.active, true);
    notEmpty(r.json.id, 'id');
    assert.equal(r.json.name.familyName, vars.randomFamilyName);
    assert.equal(r.json.name.givenName, vars.randomGivenName);
    assert.ok(r.json.schemas.includes(USER));
    assert.equal(r.json.userName, vars.randomUsername);
    vars.idUserOne = r.json.id;
    vars.randomUserEmail = r.json.emails[0].value;
    assert.equal(vars.randomUserEmail, vars.randomEmail);
  });

  it('Required: the created user reads back', async () => {
    const r = await scim('GET', `/Users/${vars.idUserOne}`);
    assert.equal(r.status, 200);
    assert.equal(r.json.userName, vars.randomUsername);
    assert.equal(r.json.name.familyName, vars.randomFamilyName);
    assert.equal(r.json.name.givenName, vars.randomGivenName);
  });

  it('Required: creating the same user again is 409', async () => {
    const r = await scim('POST', '/Users', { body: createBody(vars.randomUsername), contentType: 'application/json' });
    assert.equal(r.status, 409);
    // Beyond the Runscope check: RFC 7644 §3.3 names the scimType of a duplicate userName.
    assert.ok(r.json.schemas.includes(ERROR));
    assert.equal(r.json.status, '409');
    assert.equal(r.json.scimType, 'uniqueness');
    notEmpty(r.json.detail, 'detail');
  });

  it('Required: the userName filter is not case-sensitive (the upper-cased userName finds the user)', async () => {
    assert.notEqual(randomUsernameCaps(), vars.randomUsername);
    const r = await scim('GET', `/Users?${filter(`userName eq "${randomUsernameCaps()}"`)}`);
    assert.equal(r.status, 200);
    // The Runscope step checks the status alone; userName is caseExact false (RFC 7643 §4.1.1), so it finds the user.
    assert.equal(r.json.totalResults, 1);
    assert.equal(r.json.Resources[0].id, vars.idUserOne);
  });

  it('Optional: the Groups endpoint answers a list (its 600 ms limit is the bench\'s to measure)', async () => {
    const r = await scim('GET', '/Groups');
    assert.equal(r.status, 200);
    // Its script: no groups is acceptable; with groups, Resources is an array.
    isInteger(r.json.totalResults, 'totalResults');
    assert.ok(r.json.totalResults >= 1, 'the seeded group');
    assert.ok(Array.isArray(r.json.Resources));
    assert.equal(r.json.Resources[0].displayName, 'Okta Everyone');
  });

  it('Required: a bad Authorization is 401 with an Error whose status is the string "401"', async () => {
    for (const authorization of ['non-token', `Bearer ${TOKEN.replace(/.$/, '_')}`]) {
      const r = await scim('GET', `/Users?${filter(`userName eq "${randomUsernameCaps()}"`)}`, { authorization });
      assert.equal(r.status, 401, authorization);
      notEmpty(r.json.detail, 'detail');
      assert.equal(r.json.status, '401');
      assert.ok(r.json.schemas.includes(ERROR));
      assert.equal(r.json.Resources, undefined, 'nothing of the directory');
    }
  });

  it('Required: GET Users/00919288221112222 is 404 with an Error whose status is the string "404"', async () => {
    const r = await scim('GET', '/Users/00919288221112222');
    assert.equal(r.status, 404);
    notEmpty(r.json.detail, 'detail');
    assert.equal(r.json.status, '404');
    assert.ok(r.json.schemas.includes(ERROR));
  });

  // What Okta sends when an integration is saved (scim.md §3): integers, 1-based, and a stable order.
  it("Okta's save probes: /Users?startIndex=1&count=2 and /Groups?startIndex=1&count=100 page with integers", async () => {
    const users = await scim('GET', '/Users?startIndex=1&count=2');
    assert.equal(users.status, 200);
    for (const k of ['totalResults', 'startIndex', 'itemsPerPage']) isInteger(users.json[k], `Users ${k}`);
    assert.deepEqual([users.json.totalResults, users.json.startIndex, users.json.itemsPerPage, users.json.Resources.length], [2, 1, 2, 2]);
    // Page by page the same order: startIndex=2&count=1 is the second user of the first page.
    const second = await scim('GET', '/Users?startIndex=2&count=1');
    assert.deepEqual([second.json.startIndex, second.json.itemsPerPage, second.json.Resources[0].id], [2, 1, users.json.Resources[1].id]);
    assert.deepEqual(new Set(users.json.Resources.map((u: Json) => u.id)), new Set([vars.ISVUserid, vars.idUserOne]));

    const groups = await scim('GET', '/Groups?startIndex=1&count=100');
    assert.equal(groups.status, 200);
    for (const k of ['totalResults', 'startIndex', 'itemsPerPage']) isInteger(groups.json[k], `Groups ${k}`);
    assert.deepEqual([groups.json.totalResults, groups.json.startIndex, groups.json.itemsPerPage, groups.json.Resources.length], [1, 1, 1, 1]);
    assert.deepEqual(groups.json.Resources[0].members.map((m: Json) => m.value), [vars.ISVUserid]);
  });
});
