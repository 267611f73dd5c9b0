// Okta misbehaving while a plan reads a mixed world (an Entra tenant and an Okta org), over real
// HTTPS against the simulators. Every case either recovers to a plan byte-identical to the
// fault-free one, or stops with a clear error; either way nothing is written to Halo.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mixedMapping, mixedWorld } from '../../src/sim/example-mixed';
import { FaultEnv, LENIENT, mappingWith, ReadFaults, startFaultEnv } from './support';

const USERS = /^\/api\/v1\/users$/;
const TOKEN = /^\/oauth2\/v1\/token$/;

describe('faults: Okta, while planning a mixed world (900 Okta users, 4 pages of /users plus the deactivated)', () => {
  let env: FaultEnv;
  let faults: ReadFaults;

  before(async () => {
    env = await startFaultEnv({ world: mixedWorld({ users: 300, seed: 13, customers: 900 }), mapping: mappingWith(LENIENT, mixedMapping()) });
    faults = new ReadFaults(env, env.sims.faults.okta, 'okta');
    const baseline = await faults.start();
    assert.ok(baseline.changes.some((c) => c.tenant === 'customers' && c.action === 'deactivate'), 'the world has Okta deactivations to lose if a read went wrong');
  });
  after(() => env.close());

  it('429 (E0000047) with X-Rate-Limit-Reset a moment ahead: waits for it, then reads on', async () => {
    const reset = () => String(Math.ceil(Date.now() / 1000) + 1);
    faults.recovered('okta-429-rate-limit-reset', 'GET /api/v1/users page 2 answers 429 E0000047 with X-Rate-Limit-Remaining 0 and X-Rate-Limit-Reset in a second', await faults.tryPlan([{ path: USERS, kind: 'status', status: 429, skip: 1, times: 1, headers: { 'x-rate-limit-limit': '1000', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': reset() } }]));
  });

  it('503 on a middle page of /users, once: retried', async () => {
    faults.recovered('okta-503-middle-page', 'GET /api/v1/users page 2 answers 503 once', await faults.tryPlan([{ path: USERS, kind: 'status', status: 503, skip: 1, times: 1 }]));
  });

  it('503 on a middle page of /users, every time: stops, never "fewer users"', async () => {
    faults.stopped('okta-503-middle-page-persistent', 'GET /api/v1/users page 2 answers 503 on every attempt', await faults.tryPlan([{ path: USERS, kind: 'status', status: 503, skip: 1, times: Infinity }]), /Okta "customers" failed: GET \/api\/v1\/users did not succeed after 3 attempts.*503/);
  });

  it('a page that never answers: times out (400 ms) and is retried', async () => {
    faults.recovered('okta-page-timeout', 'GET /api/v1/users page 2 never answers (client timeout 400 ms)', await faults.tryPlan([{ path: USERS, kind: 'timeout', skip: 1, times: 1 }]));
  });

  it('a page that never answers, every time: stops', async () => {
    faults.stopped('okta-page-timeout-persistent', 'GET /api/v1/users page 3 never answers, 3 attempts of 400 ms', await faults.tryPlan([{ path: USERS, kind: 'timeout', skip: 2, times: Infinity }]), /did not succeed after 3 attempts/);
  });

  it('a page cut off half way, every time: stops', async () => {
    faults.stopped('okta-truncated-persistent', 'GET /api/v1/users page 2 always cut off half way', await faults.tryPlan([{ path: USERS, kind: 'truncate', skip: 1, times: Infinity }]), /users.*(broke off|not complete JSON)/);
  });

  it('a page of 200 that is not a list: stops (a malformed page is not an empty one)', async () => {
    faults.stopped('okta-page-not-a-list', 'GET /api/v1/users page 2 answers 200 {} (not an array)', await faults.tryPlan([{ path: USERS, kind: 'status', status: 200, body: '{}', skip: 1, times: Infinity }]), /malformed page \(it is not a list of objects\)/);
  });

  it('the token endpoint down (503): stops with a sign-in error', async () => {
    faults.stopped('okta-token-endpoint-down', 'POST /oauth2/v1/token answers 503 every time', await faults.tryPlan([{ path: TOKEN, kind: 'status', status: 503, times: Infinity }]), /Sign-in to Okta "customers" failed: the token endpoint answered 503/);
  });

  it('an access token refused mid-read (401 E0000011): a new one, once, and the read goes on', async () => {
    faults.recovered('okta-token-refused-midway', 'GET /api/v1/users page 2 answers 401 Invalid token once', await faults.tryPlan([{ path: USERS, kind: 'expireToken', skip: 1, times: 1 }]));
  });

  it('a group\'s members failing every time: stops', async () => {
    // One group only: groups are read side by side, so failing both would make the count of faults
    // fired depend on how far the other got before the plan stopped.
    const staff = env.sims.world.okta![0].groups.find((g) => g.profile.name === 'Customer Staff')!;
    const r = await faults.tryPlan([{ path: `/api/v1/groups/${staff.id}/users`, kind: 'status', status: 500, times: Infinity }]);
    assert.equal(r.fired, 3, 'three attempts, then the plan stops');
    faults.stopped('okta-group-members-fail', 'GET /api/v1/groups/{id}/users answers 500 every time', r, /groups\/\{id\}\/users did not succeed after 3 attempts/);
  });
});
