import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { RollingLimiter } from '../../src/halo/limiter';
import { AbortedError } from '../../src/net/http';

const dir = mkdtempSync(join(tmpdir(), 'halo-limiter-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('RollingLimiter', () => {
  it('lets `requests` through at once, then waits for the window to roll', async () => {
    const limiter = new RollingLimiter({ requests: 3, windowSeconds: 0.3 });
    const start = Date.now();
    for (let i = 0; i < 3; i++) (await limiter.acquire())();
    assert.ok(Date.now() - start < 100);
    (await limiter.acquire())();
    const waited = Date.now() - start;
    assert.ok(waited >= 290, `waited ${waited} ms`);
  });

  it('counts requests in flight', async () => {
    const limiter = new RollingLimiter({ requests: 2, windowSeconds: 0.2 });
    const r1 = await limiter.acquire();
    await limiter.acquire();
    let third = false;
    const pending = limiter.acquire().then((r) => ((third = true), r));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(third, false, 'two requests still in flight fill the window');
    r1();
    await new Promise((r) => setTimeout(r, 250));
    assert.equal(third, true);
    (await pending)();
  });

  it('shares its window with the next run through the state file', async () => {
    const statePath = join(dir, 'sub', 'halo-rate.log');
    const first = new RollingLimiter({ requests: 2, windowSeconds: 0.4, statePath });
    (await first.acquire())();
    (await first.acquire())();
    assert.equal(readFileSync(statePath, 'utf8').trim().split('\n').length, 2);
    const second = new RollingLimiter({ requests: 2, windowSeconds: 0.4, statePath });
    assert.equal(second.used, 2);
    const start = Date.now();
    (await second.acquire())();
    assert.ok(Date.now() - start >= 300, 'the second run waited for the first run’s requests to age out');
  });

  it('two runs at once share one window: each counts the other\'s requests, none is lost from the log', async () => {
    const statePath = join(dir, 'shared', 'halo-rate.log');
    const a = new RollingLimiter({ requests: 4, windowSeconds: 0.5, statePath });
    const b = new RollingLimiter({ requests: 4, windowSeconds: 0.5, statePath });
    (await a.acquire())();
    (await b.acquire())();
    (await a.acquire())();
    (await b.acquire())();
    assert.equal(a.used, 4, 'a sees b\'s two requests as well as its own');
    assert.equal(b.used, 4);
    assert.equal(readFileSync(statePath, 'utf8').trim().split('\n').length, 4);
    const start = Date.now();
    (await a.acquire())();
    assert.ok(Date.now() - start >= 350, 'the fifth request in the window waited, whichever run made the others');
  });

  it('stops waiting when cancelled', async () => {
    const limiter = new RollingLimiter({ requests: 1, windowSeconds: 60 });
    (await limiter.acquire())();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    await assert.rejects(limiter.acquire(ac.signal), AbortedError);
  });
});
