// Google Workspace misbehaving while a plan reads a mixed world (an Entra tenant, an Okta org and
// a Google Workspace customer), over real HTTPS against the simulators. Every case either recovers to a plan byte-identical to the
// fault-free one, or stops with a clear error; either way nothing is written to Halo.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mixedMapping, mixedWorld } from '../../src/sim/example-mixed';
import { FaultEnv, LENIENT, mappingWith, ReadFaults, startFaultEnv } from './support';

const USERS = /^\/admin\/directory\/v1\/users$/;
const TOKEN = /^\/token$/;

describe('faults: Google Workspace, while planning a mixed world (1 200 Google users, 3 pages of /users)', () => {
  let env: FaultEnv;
  let faults: ReadFaults;

  before(async () => {
    env = await startFaultEnv({ world: mixedWorld({ users: 300, seed: 14, customers: 100, partners: 1200 }), mapping: mappingWith(LENIENT, mixedMapping()) });
    faults = new ReadFaults(env, env.sims.faults.google, 'google');
    const baseline = await faults.start();
    assert.ok(baseline.changes.some((c) => c.tenant === 'partners' && c.action === 'deactivate'), 'the world has Google deactivations to lose if a read went wrong');
  });
  after(() => env.close());

  it('403 userRateLimitExceeded on a middle page: backs off, then reads on', async () => {
    faults.recovered('google-403-user-rate-limit', 'GET /users page 2 answers 403 userRateLimitExceeded once', await faults.tryPlan([{ path: USERS, kind: 'status', status: 403, skip: 1, times: 1 }]));
  });

  it('503 on a middle page of /users, once: retried', async () => {
    faults.recovered('google-503-middle-page', 'GET /users page 2 answers 503 once', await faults.tryPlan([{ path: USERS, kind: 'status', status: 503, skip: 1, times: 1 }]));
  });

  it('503 on a middle page of /users, every time: stops, never "fewer users"', async () => {
    faults.stopped('google-503-middle-page-persistent', 'GET /users page 2 answers 503 on every attempt', await faults.tryPlan([{ path: USERS, kind: 'status', status: 503, skip: 1, times: Infinity }]), /Google Workspace "partners" failed: GET \/users did not succeed after 3 attempts.*503/);
  });

  it('a page that never answers: times out (400 ms) and is retried', async () => {
    faults.recovered('google-page-timeout', 'GET /users page 2 never answers (client timeout 400 ms)', await faults.tryPlan([{ path: USERS, kind: 'timeout', skip: 1, times: 1 }]));
  });

  it('a page that never answers, every time: stops', async () => {
    faults.stopped('google-page-timeout-persistent', 'GET /users page 3 never answers, 3 attempts of 400 ms', await faults.tryPlan([{ path: USERS, kind: 'timeout', skip: 2, times: Infinity }]), /did not succeed after 3 attempts/);
  });

  it('a page cut off half way, every time: stops', async () => {
    faults.stopped('google-truncated-persistent', 'GET /users page 2 always cut off half way', await faults.tryPlan([{ path: USERS, kind: 'truncate', skip: 1, times: Infinity }]), /users.*(broke off|not complete JSON)/);
  });

  it('a page whose users are not a list: stops (a malformed page is not an empty one)', async () => {
    faults.stopped('google-page-not-a-list', 'GET /users page 2 answers 200 {"users": {}}', await faults.tryPlan([{ path: USERS, kind: 'status', status: 200, body: '{"kind":"admin#directory#users","users":{}}', skip: 1, times: Infinity }]), /malformed page \("users" is not a list of objects\)/);
  });

  it('the token endpoint down (503): stops with a sign-in error', async () => {
    faults.stopped('google-token-endpoint-down', 'POST /token answers 503 every time', await faults.tryPlan([{ path: TOKEN, kind: 'status', status: 503, times: Infinity }]), /Sign-in to Google Workspace "partners" failed: the token endpoint answered 503/);
  });

  it('an access token refused mid-read (401): a new one, once, and the read goes on', async () => {
    faults.recovered('google-token-refused-midway', 'GET /users page 2 answers 401 authError once', await faults.tryPlan([{ path: USERS, kind: 'expireToken', skip: 1, times: 1 }]));
  });

  it('a nested group\'s members failing every time: stops', async () => {
    // One group only, nested under the one the mapping names: read after it, so the count is exact.
    const sales = env.sims.world.google![0].groups.find((g) => g.name === 'Partner Sales')!;
    const r = await faults.tryPlan([{ path: `/admin/directory/v1/groups/${sales.id}/members`, kind: 'status', status: 500, times: Infinity }]);
    assert.equal(r.fired, 3, 'three attempts, then the plan stops');
    faults.stopped('google-group-members-fail', 'GET /groups/{key}/members of a nested group answers 500 every time', r, /groups\/\{key\}\/members did not succeed after 3 attempts/);
  });
});
