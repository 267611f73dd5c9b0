// Graph misbehaving while a plan reads Entra, over real HTTPS against the simulators. Every case
// either recovers to a plan byte-identical to the fault-free one, or stops with a clear error;
// either way nothing is written to Halo and no journal is started.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { planJson } from '../../src/core/render';
import { planWith } from '../../src/engine/run';
import type { FaultRule } from '../../src/sim/faults';
import { FaultEnv, projection, record, startFaultEnv } from './support';

const USERS = /^\/v1\.0\/users$/;

describe('faults: Graph, while planning (2 500 users, 3 pages of /users)', () => {
  let env: FaultEnv;
  let baseline: string;
  let halo: string;
  let page2: string;
  const times = new WeakMap<object, number>();

  before(async () => {
    env = await startFaultEnv({ worldOptions: { users: 2500, seed: 11 } });
    const log = env.sims.requests.graph;
    const push = log.push.bind(log);
    log.push = (...items) => {
      for (const i of items) times.set(i, Date.now());
      return push(...items);
    };
    const conns = await env.connect();
    try {
      baseline = planJson((await planWith(conns)).plan);
    } finally {
      conns.close();
    }
    const pages = log.filter((r) => USERS.test(r.path));
    assert.ok(pages.length >= 3, `users read in ${pages.length} pages`);
    // The real link to page 2, with its parameters in another order: a different URL for the same page.
    const q = Object.entries((pages[1] as unknown as { query: Record<string, string> }).query).reverse().map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
    page2 = `${env.sims.graphUrl}/v1.0/users?${q}`;
    halo = JSON.stringify(projection(env.sims.world.halo));
    assert.ok(JSON.parse(baseline).summary.deactivate > 0, 'the world has deactivations to lose if a read went wrong');
  });
  after(() => env.close());

  async function tryPlan(rules: FaultRule[], opts: { graphTimeoutMs?: number; incremental?: boolean } = {}) {
    env.sims.faults.graph.clear();
    const firedBefore = env.sims.faults.graph.fired.length;
    const writesBefore = env.haloWrites();
    for (const r of rules) env.sims.faults.graph.add(r);
    const conns = await env.connect({ graphTimeoutMs: opts.graphTimeoutMs });
    try {
      const run = await planWith(conns, { incremental: opts.incremental });
      return { json: planJson(run.plan), error: null as Error | null, fired: env.sims.faults.graph.fired.length - firedBefore, writes: env.haloWrites() - writesBefore };
    } catch (e) {
      return { json: null, error: e as Error, fired: env.sims.faults.graph.fired.length - firedBefore, writes: env.haloWrites() - writesBefore };
    } finally {
      conns.close();
      env.sims.faults.graph.clear();
    }
  }

  function assertUntouched(r: { writes: number }) {
    assert.equal(r.writes, 0, 'nothing was written to Halo');
    assert.equal(JSON.stringify(projection(env.sims.world.halo)), halo, 'Halo is unchanged');
    assert.equal(fs.existsSync(path.join(env.dir, '.halo-identity', 'journals')), false, 'no journal was started');
  }

  function recovered(id: string, input: string, r: Awaited<ReturnType<typeof tryPlan>>, extra = '') {
    assert.equal(r.error, null, r.error?.message);
    assert.ok(r.fired >= 1, 'the fault fired');
    assert.equal(r.json, baseline, 'the plan is byte-identical to the fault-free plan');
    assertUntouched(r);
    record({ id, area: 'graph', input, expected: 'retried; plan byte-identical to a fault-free plan', observed: `recovered, identical plan${extra}`, faultsInjected: r.fired, passed: true });
  }

  function stopped(id: string, input: string, r: Awaited<ReturnType<typeof tryPlan>>, message: RegExp) {
    assert.ok(r.error, 'the plan stops');
    assert.match(r.error.message, message);
    assert.doesNotMatch(r.error.message, /\n\s+at /, 'a message, not a stack');
    assert.ok(r.fired >= 1, 'the fault fired');
    assertUntouched(r);
    record({ id, area: 'graph', input, expected: 'stops with a clear error; nothing written', observed: `stopped: ${r.error.message.slice(0, 160)}`, faultsInjected: r.fired, passed: true });
  }

  it('429 with a fractional Retry-After: waits that long, then reads on', async () => {
    const r = await tryPlan([{ path: USERS, kind: 'status', status: 429, retryAfter: '0.35', skip: 1, times: 2 }]);
    const pages = env.sims.requests.graph.filter((x) => USERS.test(x.path));
    const k = pages.map((x) => x.status).lastIndexOf(429);
    assert.ok(k > 0 && pages[k + 1]?.status === 200, 'a 429, then the same page again');
    const gap = times.get(pages[k + 1])! - times.get(pages[k])!;
    assert.ok(gap >= 330, `waited ${gap} ms after "Retry-After: 0.35"`);
    recovered('graph-429-fractional-retry-after', 'GET /users page 2 answers 429 twice, Retry-After: 0.35', r, `; waited ${gap} ms`);
  });

  it('503 on the middle page of /users, once: retried', async () => {
    recovered('graph-503-middle-page', 'GET /users page 2 answers 503 once', await tryPlan([{ path: USERS, kind: 'status', status: 503, skip: 1, times: 1 }]));
  });

  it('503 on the middle page of /users, every time: stops, never "fewer users"', async () => {
    stopped('graph-503-middle-page-persistent', 'GET /users page 2 answers 503 on every attempt', await tryPlan([{ path: USERS, kind: 'status', status: 503, skip: 1, times: Infinity }]), /Entra tenant .*\/v1\.0\/users.*503/);
  });

  it('a page that never answers: times out (shortened to 400 ms) and is retried', async () => {
    recovered('graph-page-timeout', 'GET /users page 2 never answers (client timeout 400 ms)', await tryPlan([{ path: USERS, kind: 'timeout', skip: 1, times: 1 }], { graphTimeoutMs: 400 }));
  });

  it('a page that never answers, every time: stops', async () => {
    stopped('graph-page-timeout-persistent', 'GET /users page 3 never answers, 3 attempts of 300 ms', await tryPlan([{ path: USERS, kind: 'timeout', skip: 2, times: Infinity }], { graphTimeoutMs: 300 }), /no answer .* within/);
  });

  it('truncated JSON on a page: retried', async () => {
    recovered('graph-truncated-json', 'GET /users page 2 cut off half way through its JSON', await tryPlan([{ path: USERS, kind: 'truncate', skip: 1, times: 1 }]));
  });

  it('truncated JSON on every attempt: stops', async () => {
    stopped('graph-truncated-json-persistent', 'GET /users page 2 always cut off half way', await tryPlan([{ path: USERS, kind: 'truncate', skip: 1, times: Infinity }]), /users.*(cut short|not complete JSON|broke off)/);
  });

  it('an empty page followed by more: every page is still read', async () => {
    const empty = JSON.stringify({ '@odata.context': 'x', value: [], '@odata.nextLink': page2 });
    recovered('graph-empty-page-then-more', 'GET /users page 2 answers 200 {value: []} with a nextLink to the real page 2', await tryPlan([{ path: USERS, kind: 'status', status: 200, body: empty, skip: 1, times: 1 }]));
  });

  it('a page of 200 without "value": stops (a malformed page is not an empty one)', async () => {
    stopped('graph-page-without-value', 'GET /users page 2 answers 200 {} (no value)', await tryPlan([{ path: USERS, kind: 'status', status: 200, body: '{}', skip: 1, times: Infinity }]), /malformed page/);
  });

  it('the token endpoint down (login answers 503): stops with a sign-in error', async () => {
    stopped('graph-token-endpoint-down', 'POST /{tenant}/oauth2/v2.0/token answers 503 every time', await tryPlan([{ path: /\/oauth2\/v2\.0\/token$/, kind: 'status', status: 503, times: Infinity }]), /Sign-in to Entra tenant/);
  });

  it('one group\'s transitive-members read failing every time: stops', async () => {
    // One group only: groups are read side by side, so failing all of them would make the count of
    // faults fired depend on how far the others got before the plan stopped.
    const group = env.sims.requests.graph.map((r) => r.path).find((p) => /\/transitiveMembers$/.test(p));
    assert.ok(group, 'the fault-free plan read a group');
    const r = await tryPlan([{ path: new RegExp(`^${group.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`), kind: 'status', status: 500, times: Infinity }]);
    assert.equal(r.fired, 3, 'three attempts, then the plan stops');
    stopped('graph-group-members-fail', 'GET /groups/{id}/transitiveMembers of one group answers 500 every time', r, /transitiveMembers.*500/);
  });

  it('a delta token answering 410 Gone (incremental): falls back to a full read, identical plan', async () => {
    const first = await tryPlan([], { incremental: true });
    assert.equal(first.json, baseline);
    env.sims.graph.invalidateDeltaTokens();
    const before = env.sims.requests.graph.length;
    const r = await tryPlan([], { incremental: true });
    const gone = env.sims.requests.graph.slice(before).filter((x) => x.status === 410).length;
    assert.ok(gone >= 1, 'Graph answered 410');
    assert.equal(r.error, null, r.error?.message);
    assert.equal(r.json, baseline);
    assertUntouched(r);
    record({ id: 'graph-delta-410', area: 'graph', input: 'incremental plan; every delta token answers 410 Gone', expected: 'full read instead; plan byte-identical', observed: 'recovered, identical plan', faultsInjected: gone, passed: true });
  });
});
