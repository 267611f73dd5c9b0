// Sign-in through MSAL's real network path against the simulated login service over HTTPS.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EntraReadError, readTenant, tokenInfo } from '../../src/sources/entra';
import { HttpClient } from '../../src/net/http';
import { Faults } from '../../src/sim/faults';
import { GraphSim, startGraphSim } from '../../src/sim/graph/server';
import { makeAppCredential, AppCertificateCredential } from '../../src/sim/tls';
import { connection, logSink, needs, SECRET, simTls, tenant, trustingClient } from '../support/entra-fixture';

describe('Entra sign-in', () => {
  let http: HttpClient;
  let app: AppCertificateCredential;
  let sim: GraphSim;
  const faults = new Faults();
  const t = tenant(3);

  before(async () => {
    http = await trustingClient();
    app = await makeAppCredential();
    t.certificatePem = app.certificatePem;
    sim = await startGraphSim([t], { tls: await simTls(), faults });
  });
  after(async () => {
    http.close();
    await sim.stop();
  });

  const tokenPosts = () => sim.requests.filter((r) => r.method === 'POST' && r.path === `/${t.tenantId}/oauth2/v2.0/token`);

  test('client secret: MSAL discovers the authority and gets a token from the simulator over HTTPS', async () => {
    const before = sim.requests.length;
    const info = await tokenInfo(connection(sim, t), { http });
    const seen = sim.requests.slice(before).map((r) => `${r.method} ${r.path} ${r.status}`);
    assert.deepEqual(seen, [`GET /${t.tenantId}/v2.0/.well-known/openid-configuration 200`, `POST /${t.tenantId}/oauth2/v2.0/token 200`]);
    assert.deepEqual(info.roles, ['User.Read.All', 'GroupMember.Read.All']);
    assert.equal(info.tenantId, t.tenantId);
    const inAnHour = Date.now() + 3600_000;
    assert.ok(Math.abs(info.expiresOn.getTime() - inAnHour) < 60_000, `expiresOn ${info.expiresOn.toISOString()}`);
  });

  test('one application per connection: a second read reuses the cached token', async () => {
    const conn = connection(sim, t);
    const posts = tokenPosts().length;
    await readTenant(conn, needs(), { http });
    await readTenant(conn, needs(), { http });
    assert.equal(tokenPosts().length - posts, 1);
  });

  test('certificate: MSAL signs a client assertion that the login service verifies', async () => {
    const conn = connection(sim, t, { clientSecret: undefined, certificate: { thumbprintSha256: app.thumbprintSha256, privateKey: app.privateKey } });
    const posts = tokenPosts().length;
    const snap = await readTenant(conn, needs(), { http });
    assert.equal(snap.users.length, 3);
    assert.equal(tokenPosts().length - posts, 1);
    assert.equal(tokenPosts().at(-1)!.status, 200);
  });

  test('certificate with a key that does not match the uploaded certificate is refused', async () => {
    const stranger = await makeAppCredential('someone-else');
    const conn = connection(sim, t, { clientSecret: undefined, certificate: { thumbprintSha256: app.thumbprintSha256, privateKey: stranger.privateKey } });
    await assert.rejects(readTenant(conn, needs(), { http }), (e: Error) => {
      assert.ok(e instanceof EntraReadError);
      assert.match(e.message, /AADSTS700027: Client assertion failed signature validation/);
      assert.ok(!e.message.includes('PRIVATE KEY'));
      return true;
    });
  });

  test('certificate with an unknown thumbprint: the message says to check the certificate', async () => {
    const conn = connection(sim, t, { clientSecret: undefined, certificate: { thumbprintSha256: 'AB'.repeat(32), privateKey: app.privateKey } });
    await assert.rejects(readTenant(conn, needs(), { http }), /AADSTS700027.*The key was not found.*Check the certificate/s);
  });

  test('wrong secret: a clear error naming the tenant, with no secret in it or in the log', async () => {
    const wrong = 'Zz9~wrong-secret-0815';
    const sink = logSink();
    const conn = connection(sim, t, { clientSecret: wrong });
    await assert.rejects(readTenant(conn, needs(), { http, log: sink.log }), (e: Error) => {
      assert.ok(e instanceof EntraReadError);
      assert.match(e.message, /^Sign-in to Entra tenant "contoso" \(72f988bf-86f1-41af-91ab-2d7cd011db47\)/);
      assert.match(e.message, /AADSTS7000215: Invalid client secret provided/);
      assert.match(e.message, /Check the client secret/);
      for (const s of [wrong, SECRET]) assert.ok(!e.message.includes(s), 'secret in message');
      return true;
    });
    assert.ok(!sink.lines.join('\n').includes(wrong), 'secret in log');
    assert.equal(tokenPosts().at(-1)!.status, 401);
  });

  test('unknown client id: the login service says the app is not in the directory', async () => {
    const conn = connection(sim, t, { clientId: '99999999-9999-4999-8999-999999999999' });
    await assert.rejects(readTenant(conn, needs(), { http }), /AADSTS700016: Application with identifier '99999999-9999-4999-8999-999999999999' was not found.*Check clientId and tenantId/s);
  });

  test('TLS is verified: without the simulator CA the sign-in fails on the certificate', async () => {
    const plain = new HttpClient();
    try {
      await assert.rejects(readTenant(connection(sim, t), needs(), { http: plain }), (e: Error) => {
        assert.ok(e instanceof EntraReadError);
        assert.match(e.message, /self-signed certificate/);
        return true;
      });
    } finally {
      plain.close();
    }
  });

  test('a custom cloud must use https', async () => {
    const conn = { ...connection(sim, t), cloud: { loginUrl: 'http://login.example.com', graphUrl: sim.graphUrl } };
    await assert.rejects(readTenant(conn, needs(), { http }), /cloud.loginUrl must use https/);
  });

  test('a token Graph rejects (expired early) is replaced once, and the read completes', async () => {
    const conn = connection(sim, t);
    await tokenInfo(conn, { http });
    const posts = tokenPosts().length;
    faults.add({ path: '/v1.0/users', kind: 'expireToken' });
    const snap = await readTenant(conn, needs(), { http });
    assert.equal(snap.users.length, 3);
    assert.equal(tokenPosts().length - posts, 1, 'one fresh token');
    assert.equal(faults.fired.at(-1)!.kind, 'expireToken');
  });
});

describe('Entra permissions', () => {
  test('missing application permissions: 403 with what to grant', async () => {
    const t = tenant(2);
    const sim = await startGraphSim([t], { tls: await simTls(), roles: ['Group.Read.All'] });
    const http = await trustingClient();
    try {
      const info = await tokenInfo(connection(sim, t), { http });
      assert.deepEqual(info.roles, ['Group.Read.All']);
      await assert.rejects(readTenant(connection(sim, t), needs(), { http }), (e: Error) => {
        assert.ok(e instanceof EntraReadError);
        assert.equal(e.details.status, 403);
        assert.match(e.message, /GET \/v1\.0\/users answered 403: Authorization_RequestDenied: Insufficient privileges.*User\.Read\.All and GroupMember\.Read\.All/);
        return true;
      });
    } finally {
      http.close();
      await sim.stop();
    }
  });
});
