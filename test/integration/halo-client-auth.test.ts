// The Halo client's way to a token: configured, discovered, or the self-hosted default; renewal.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HaloApiError, HaloAuthError } from '../../src/halo/errors';
import { HttpClient } from '../../src/net/http';
import { HaloClient } from '../../src/halo/client';
import { Faults } from '../../src/sim/faults';
import { SECRET, count, harness, haloState } from '../support/halo-fixture';

describe('Halo client: authorisation', () => {
  it('discovers the auth server and tenant from /api/authinfo', async () => {
    const h = await harness(haloState({ tenant: 'contoso' }));
    try {
      const client = h.client({ authUrl: undefined, tenant: undefined });
      const me = await client.whoAmI();
      assert.equal(me.name, 'API User');
      assert.equal(me.scope, 'all');
      const [info, tok] = h.sim.requests;
      assert.equal(info.path, '/api/authinfo');
      assert.equal(tok.path, '/auth/token');
      assert.deepEqual(tok.query, { tenant: 'contoso' });
      assert.equal(tok.status, 200);
    } finally {
      await h.stop();
    }
  });

  it('falls back to {url}/auth when authinfo is not served', async () => {
    const h = await harness(haloState({ tenant: null }), { authInfo: false });
    try {
      const client = h.client({ authUrl: undefined, tenant: undefined });
      await client.whoAmI();
      assert.deepEqual(
        h.sim.requests.map((r) => `${r.path} ${r.status}`),
        ['/api/authinfo 404', '/auth/token 200', '/api/Agent/me 200'],
      );
      assert.deepEqual(h.sim.requests[1].query, {});
    } finally {
      await h.stop();
    }
  });

  it('uses a configured auth URL without discovery', async () => {
    const h = await harness();
    try {
      await h.client().whoAmI();
      assert.equal(count(h.sim, 'GET', /authinfo/i), 0);
    } finally {
      await h.stop();
    }
  });

  it('renews the token once on a 401 and retries the request', async () => {
    const faults = new Faults().add({ path: '/api/Agent/me', kind: 'expireToken' });
    const h = await harness(haloState(), { faults });
    try {
      const client = h.client();
      await client.whoAmI();
      assert.equal(client.counters.tokens, 2);
      assert.deepEqual(
        h.sim.requests.map((r) => `${r.path} ${r.status}`),
        ['/auth/token 200', '/api/Agent/me 401', '/auth/token 200', '/api/Agent/me 200'],
      );
    } finally {
      await h.stop();
    }
  });

  it('gives up with a clear error when the renewed token is refused too', async () => {
    const faults = new Faults().add({ path: '/api/Agent/me', kind: 'expireToken', times: 2 });
    const h = await harness(haloState(), { faults });
    try {
      await assert.rejects(h.client().whoAmI(), (e: unknown) => e instanceof HaloApiError && e.status === 401);
    } finally {
      await h.stop();
    }
  });

  it('renews ahead of expiry during a long run', async () => {
    const h = await harness(haloState(), { tokenLifetimeSeconds: 0.3 });
    try {
      const client = h.client();
      await client.whoAmI();
      await new Promise((r) => setTimeout(r, 350));
      await client.whoAmI();
      assert.equal(client.counters.tokens, 2);
      assert.equal(count(h.sim, 'GET', /\/api\//), 2, 'no request was refused');
    } finally {
      await h.stop();
    }
  });

  it('reports refused credentials without revealing the secret', async () => {
    const h = await harness();
    try {
      const secret = `${SECRET}-but-wrong`;
      const err = await h
        .client({ clientSecret: secret })
        .whoAmI()
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.ok(err instanceof HaloAuthError);
      assert.match(err.message, /invalid_client/);
      assert.match(err.message, /halo-app/);
      assert.ok(!err.message.includes(secret));
      assert.ok(!String(err.stack).includes(secret));
    } finally {
      await h.stop();
    }
  });

  it('refuses plain http except on this machine', () => {
    const http = new HttpClient();
    assert.throws(() => new HaloClient({ url: 'http://contoso.halopsa.com', clientId: 'a', clientSecret: 'b', http }), /https/);
    assert.throws(() => new HaloClient({ url: 'https://contoso.halopsa.com', authUrl: 'http://auth.example', clientId: 'a', clientSecret: 'b', http }), /https/);
    http.close();
  });
});
