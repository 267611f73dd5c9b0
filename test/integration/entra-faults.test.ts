// Throttling and failures while reading: retried when transient, otherwise the read aborts whole.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { EntraReadError, readTenant } from '../../src/sources/entra';
import type { HttpClient } from '../../src/net/http';
import { Faults } from '../../src/sim/faults';
import { GraphSim, startGraphSim } from '../../src/sim/graph/server';
import { connection, guid, logSink, needs, simTls, tenant, trustingClient } from '../support/entra-fixture';

describe('transient failures and throttling', () => {
  let http: HttpClient;
  let sim: GraphSim;
  const faults = new Faults();
  // 5 users in pages of 2: three pages, so there is a middle one.
  const t = tenant(5, { groups: [{ id: guid(1, 2), displayName: 'SG-All', members: [guid(1, 1), guid(2, 1), guid(3, 1)] }] });
  const fast = { maxAttempts: 4, baseDelayMs: 10 };
  const read = (extra: object = {}) => readTenant(connection(sim, t), needs(), { http, pageSize: 2, retry: fast, ...extra });
  const userPages = () => sim.requests.filter((r) => r.path === '/v1.0/users');

  before(async () => {
    http = await trustingClient();
    sim = await startGraphSim([t], { tls: await simTls(), faults });
  });
  beforeEach(() => {
    faults.clear();
    sim.requests.length = 0;
  });
  after(async () => {
    http.close();
    await sim.stop();
  });

  test('429 with Retry-After "0.2": waits 0.2 s, then reads everything', async () => {
    faults.add({ path: '/v1.0/users', kind: 'status', status: 429, retryAfter: '0.2' });
    const sink = logSink();
    const started = Date.now();
    const snap = await read({ retry: { maxAttempts: 4, baseDelayMs: 5000 }, log: sink.log });
    assert.ok(Date.now() - started >= 190, 'honoured Retry-After');
    assert.ok(Date.now() - started < 4000, 'did not fall back to the 5 s backoff');
    assert.equal(snap.users.length, 5);
    assert.deepEqual(userPages().map((r) => r.status), [429, 200, 200, 200]);
    assert.match(sink.lines.join('\n'), /GET \/v1\.0\/users: Graph answered 429 \(TooManyRequests: .*\); retrying in 0\.2 s/);
  });

  test('503 on the middle page: retried, and the snapshot is complete', async () => {
    faults.add({ path: '/v1.0/users', kind: 'status', status: 503, skip: 1 });
    const snap = await read();
    assert.deepEqual(snap.users.map((u) => u.id), t.users.map((u) => u.id));
    const pages = userPages();
    assert.deepEqual(pages.map((r) => r.status), [200, 503, 200, 200]);
    assert.equal(pages[1].query.$skiptoken, pages[2].query.$skiptoken, 'the same page asked again');
  });

  test('a page that keeps failing: the read throws, no snapshot', async () => {
    faults.add({ path: '/v1.0/users', kind: 'status', status: 503, skip: 1, times: Infinity });
    await assert.rejects(read(), (e: Error) => {
      assert.ok(e instanceof EntraReadError);
      assert.equal(e.details.status, 503);
      assert.equal(e.message, 'Reading Entra tenant "contoso" failed: GET /v1.0/users did not succeed after 4 attempts; last: Graph answered 503 (serviceNotAvailable: Service Unavailable).');
      return true;
    });
    assert.equal(userPages().length, 1 + 4);
  });

  test('a page cut off mid-JSON is read again; the snapshot is whole', async () => {
    faults.add({ path: '/v1.0/users', kind: 'truncate', skip: 1 });
    const fired = faults.fired.length;
    const snap = await read();
    assert.deepEqual(snap.users.map((u) => u.id), t.users.map((u) => u.id));
    assert.equal(faults.fired.length - fired, 1);
    assert.equal(userPages().length, 4);
  });

  test('pages cut off every time: throws rather than returning the users read so far', async () => {
    faults.add({ path: '/v1.0/users', kind: 'truncate', skip: 2, times: Infinity });
    await assert.rejects(read(), /GET \/v1\.0\/users did not succeed after 4 attempts; last: response from 127\.0\.0\.1:\d+ (was cut short|broke off)/);
  });

  test('transitive members failing on a later page also fail the whole read', async () => {
    faults.add({ path: `/v1.0/groups/${guid(1, 2)}/transitiveMembers`, kind: 'status', status: 500, skip: 1, times: Infinity });
    await assert.rejects(readTenant(connection(sim, t), needs({ groups: ['SG-All'] }), { http, pageSize: 2, retry: fast }), (e: Error) => {
      assert.ok(e instanceof EntraReadError);
      assert.match(e.message, new RegExp(`GET /v1.0/groups/${guid(1, 2)}/transitiveMembers did not succeed`));
      return true;
    });
  });

  test('a request that gets no answer times out and is retried', async () => {
    faults.add({ path: '/v1.0/users', kind: 'timeout' });
    const snap = await read({ timeoutMs: 300 });
    assert.equal(snap.users.length, 5);
  });

  test('a well-formed answer without a value list is malformed: thrown at once', async () => {
    faults.add({ path: '/v1.0/users', kind: 'status', status: 200, skip: 1, body: JSON.stringify({ '@odata.context': 'x', value: 'nope' }) });
    await assert.rejects(read(), /GET \/v1\.0\/users returned a malformed page \(it has no list of objects in "value"\); nothing was read from this tenant/);
    assert.equal(userPages().length, 2);
  });

  test('a nextLink to another host is refused (the token stays with Graph)', async () => {
    faults.add({ path: '/v1.0/users', kind: 'status', status: 200, body: JSON.stringify({ value: [], '@odata.nextLink': 'https://evil.example.com/v1.0/users?$skiptoken=x' }) });
    await assert.rejects(read(), /a paging link points to another host \(https:\/\/evil\.example\.com\/v1\.0\/users\)/);
  });

  test('cancelling stops the read', async () => {
    faults.add({ path: '/v1.0/users', kind: 'latency', latencyMs: 2000 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    await assert.rejects(read({ signal: ac.signal }), { name: 'AbortedError' });
  });
});
