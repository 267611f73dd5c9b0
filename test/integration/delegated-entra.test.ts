// A delegated Entra sign-in (the editor's device code or Microsoft account) stands in for a
// connection whose own credentials are absent: connect() uses its tokens, a plan reads with them,
// and the app's credentials still win whenever they resolve.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfidentialClientApplication } from '@azure/msal-node';
import { connect, ConnectionError } from '../../src/engine/connections';
import { readMappingFile, validMapping } from '../../src/engine/mapping-file';
import { MsalNetwork } from '../../src/sources/entra/msal-network';
import { planWith } from '../../src/engine/run';
import { entraOf, SimEnv, startSimEnv } from '../support/sim-env';

describe('delegated Entra sign-in', () => {
  let env: SimEnv;
  before(async () => {
    env = await startSimEnv();
  });
  after(() => env?.close());

  const withoutEntraSecret = (kind: 'env' | 'secret', name: string) => (kind === 'env' && name !== 'ENTRA_CLIENT_SECRET' ? env.sims.env[name] : undefined);

  it('without the app secret and without a sign-in, the missing secret is named', async () => {
    const m = readMappingFile(env.file);
    await assert.rejects(connect(validMapping(m), { baseDir: m.baseDir, lookup: withoutEntraSecret }), (e: Error) => e instanceof ConnectionError && /ENTRA_CLIENT_SECRET/.test(e.message));
  });

  it('reads Entra with the delegated tokens when the app secret is absent', async () => {
    const m = readMappingFile(env.file);
    // The simulator has no device code flow: a token it issues to the app plays the person's.
    const tenant = env.sims.world.graph[0];
    let calls = 0;
    const conns = await connect(validMapping(m), {
      baseDir: m.baseDir,
      lookup: withoutEntraSecret,
      signIn: (c) => {
        assert.equal(c.source, 'entra');
        assert.equal(c.name, 'contoso');
        assert.equal(c.settings.clientId, tenant.clientId);
        return async () => {
          calls++;
          const conn = entraOf(conns);
          const cca = new ConfidentialClientApplication({
            auth: { clientId: tenant.clientId, clientSecret: tenant.clientSecret, authority: `${env.sims.loginUrl}/${c.settings.tenantId}`, knownAuthorities: [env.sims.loginUrl] },
            // The simulator's certificate is trusted through the connections' HTTP client.
            system: { networkClient: new MsalNetwork(conns.http, 10_000) },
          });
          const r = await cca.acquireTokenByClientCredential({ scopes: [`${env.sims.graphUrl}/.default`] });
          assert.ok(r && conn.delegated);
          return { accessToken: r.accessToken, expiresOn: r.expiresOn ?? new Date(Date.now() + 3600_000) };
        };
      },
    });
    try {
      assert.ok(entraOf(conns).delegated, 'the connection was not given the delegated sign-in');
      assert.ok(conns.directories[0].personal);
      assert.equal(entraOf(conns).clientSecret, undefined);
      const run = await planWith(conns);
      assert.ok(calls >= 1, 'the delegated token source was never asked');
      assert.ok(run.plan.changes.length > 0);
    } finally {
      conns.close();
    }
  });

  it('the app secret wins when it resolves', async () => {
    const m = readMappingFile(env.file);
    const conns = await connect(validMapping(m), {
      baseDir: m.baseDir,
      lookup: (kind, name) => (kind === 'env' ? env.sims.env[name] : undefined),
      signIn: () => {
        throw new Error('asked for a delegated sign-in although the app secret resolves');
      },
    });
    try {
      assert.equal(entraOf(conns).delegated, undefined);
      assert.ok(entraOf(conns).clientSecret);
    } finally {
      conns.close();
    }
  });
});
