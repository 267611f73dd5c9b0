// Delegated sign-in over HTTPS against the simulated login service, with MSAL's real device code
// flow: the person signs in (or declines) at the verification page, the plan reads Entra with the
// delegated token, and an expired access token is renewed with the refresh token.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DeviceCodePrompt, DeviceCodeSignIn, SignedIn } from '../../src/sources/entra/device-code';
import { connect } from '../../src/engine/connections';
import { readMappingFile, validMapping } from '../../src/engine/mapping-file';
import { planWith } from '../../src/engine/run';
import { HttpClient } from '../../src/net/http';
import { entraOf, SimEnv, startSimEnv } from '../support/sim-env';

describe('entra: delegated sign-in with the device code flow', () => {
  let env: SimEnv;
  let http: HttpClient;
  let app: DeviceCodeSignIn;
  let signedIn: SignedIn;
  const tokenRequests = () => env.sims.requests.graph.filter((r) => /\/oauth2\/v2\.0\/token$/.test(r.path)).length;

  before(async () => {
    env = await startSimEnv({ worldOptions: { users: 150, seed: 4 } });
    http = new HttpClient({ ca: [env.sims.ca] });
    const tenant = env.sims.world.graph[0];
    app = new DeviceCodeSignIn({ tenantId: tenant.tenantId, clientId: tenant.clientId, loginUrl: env.sims.loginUrl, graphUrl: env.sims.graphUrl, custom: true }, http);
  });
  after(() => env.close());

  /** What the person does in the browser: open the page, enter the code, sign in (or decline). */
  async function answer(prompt: DeviceCodePrompt, form: Record<string, string>): Promise<void> {
    const res = await http.request({ method: 'POST', url: prompt.verificationUri, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ code: prompt.userCode, ...form }).toString() });
    assert.equal(res.status, 200, res.text);
  }

  it('signs in once the person enters the code, and a plan reads Entra with the delegated token', async () => {
    const person = env.sims.world.graph[0].users.find((u) => u.accountEnabled !== false && u.userType === 'Member')!;
    let shown: DeviceCodePrompt | undefined;
    const result = await app.signIn((p) => {
      shown = p;
      setTimeout(() => void answer(p, { user: String(person.userPrincipalName) }), 300);
    });
    assert.ok(shown && shown.message.includes(shown.userCode) && shown.verificationUri.startsWith(env.sims.loginUrl));
    assert.equal(result.account, person.userPrincipalName);
    const claims = JSON.parse(Buffer.from(result.accessToken.split('.')[1], 'base64url').toString('utf8'));
    assert.deepEqual([claims.idtyp, claims.oid, claims.scp, claims.roles], ['user', person.id, 'User.Read.All GroupMember.Read.All', undefined]);
    signedIn = result;

    // The mapping has no Entra secret here: the connection reads with the person's token.
    const m = readMappingFile(env.file);
    const conns = await connect(validMapping(m), {
      baseDir: m.baseDir,
      lookup: (kind, name) => (kind === 'env' && name !== 'ENTRA_CLIENT_SECRET' ? env.sims.env[name] : undefined),
      signIn: () => ({ forceRefresh }) => app.token(signedIn, forceRefresh),
    });
    try {
      assert.ok(entraOf(conns).delegated, 'the connection signs in as the person');
      const run = await planWith(conns);
      assert.ok(run.plan.changes.length > 0);
      assert.equal(run.snapshots.directories.tenants[0].users.length, env.sims.world.graph[0].users.length);
    } finally {
      conns.close();
    }
  });

  it('serves the cached token, and renews it with the refresh token when asked', async () => {
    const before = tokenRequests();
    const cached = await app.token(signedIn, false);
    assert.equal(tokenRequests(), before, 'from the cache');
    const renewed = await app.token(signedIn, true);
    assert.equal(tokenRequests(), before + 1, 'one refresh-token request');
    assert.notEqual(renewed.accessToken, cached.accessToken);
  });

  it('a declined sign-in fails with the login service\'s words', async () => {
    await assert.rejects(
      app.signIn((p) => setTimeout(() => void answer(p, { decline: '1' }), 300)),
      (e: Error) => /authorization_declined|declined/i.test(`${(e as { errorCode?: string }).errorCode} ${e.message}`),
    );
  });

  it('a cancelled sign-in stops polling', async () => {
    const controller = new AbortController();
    await assert.rejects(
      app.signIn(() => setTimeout(() => controller.abort(), 300), controller.signal),
      (e: Error) => /cancel/i.test(`${(e as { errorCode?: string }).errorCode} ${e.message}`),
    );
  });
});
