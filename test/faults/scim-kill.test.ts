// The SCIM bridge (the built CLI, `scim serve`) killed with SIGKILL at random points of a 2 000-user
// initial push, 20 times, and started again on the same port and store. The pushing IdP behaves as
// Entra does after a failed request: it retries in its next cycle, matching by userName before it
// creates (scim.md §2.2, §2.4). The Halo simulator runs in this process, so Halo's state survives
// every kill. At the end the store and Halo must hold each person exactly once, nobody lost.
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseDocument } from 'yaml';
import { SCIM_ENTRA, SCIM_ENV, SCIM_GROUPS, scimMapping } from '../../src/sim/example-scim';
import { rng } from '../../src/sim/world';
import { ScimStore } from '../../src/scim/store';
import { EntraProvisioning, IdpUser, people, ScimClient } from '../support/scim-idp';
import { SimEnv, startSimEnv } from '../support/sim-env';
import { CLI, record } from './support';

const USERS = 2000;
const KILLS = 20;
const SEED = Number(process.env.FAULT_SEED ?? 20261202);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

describe('SCIM bridge: SIGKILL during a 2 000-user initial push', { timeout: 600_000 }, () => {
  let sim: SimEnv;
  let port: number;
  let storeFile: string;
  let child: ChildProcess | undefined;
  let stderr = '';

  const start = async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...sim.sims.env, ...SCIM_ENV };
    delete env.HALO_IDENTITY_DEBUG;
    child = spawn(process.execPath, [CLI, 'scim', 'serve', sim.file, '--listen', `127.0.0.1:${port}`, '--store', storeFile, '--quiet', '0.3', '--max-wait', '2', '--rate', '100000', '--audit', path.join(sim.dir, 'audit.jsonl')], { cwd: sim.dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (d) => (stderr += d));
    for (let i = 0; i < 200; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200) return;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`the bridge did not start: ${stderr.slice(-2000)}`);
  };
  const kill = async () => {
    const c = child;
    if (!c) return;
    const gone = new Promise((r) => c.once('close', r));
    c.kill('SIGKILL');
    await gone;
    child = undefined;
  };

  before(async () => {
    // Enough room in the thresholds for a first push of everyone.
    const doc = parseDocument(scimMapping());
    doc.setIn(['safety', 'maxChanges'], 10_000);
    sim = await startSimEnv({ mapping: doc.toString() });
    port = await freePort();
    storeFile = path.join(sim.dir, 'scim.db');
  });
  after(async () => {
    await kill();
    await sim.close();
  });

  it('converges: every person once in the store and once in Halo, nothing lost', async () => {
    const random = rng(SEED);
    const staff = people(USERS, 'pushed');
    const client = new ScimClient(`http://127.0.0.1:${port}/scim/v2`, () => `Bearer ${SCIM_ENV.SCIM_ENTRA_TOKEN}`);
    const entra = new EntraProvisioning(client);
    await start();
    // Kill points spread over the push: after a random number of the IdP's requests.
    const expected = USERS * 2 + USERS / 50 + 2;
    const points = Array.from({ length: KILLS }, () => Math.floor(random() * expected)).sort((a, b) => a - b);
    let kills = 0;
    let failures = 0;
    const maybeKill = async () => {
      while (kills < KILLS && client.requests >= points[kills]) {
        kills++;
        await kill();
        await start();
      }
    };
    /** One step of the cycle, retried as Entra retries a failed object: later, from the match. */
    const retried = async <T>(step: () => Promise<T>): Promise<T> => {
      for (let attempt = 1; ; attempt++) {
        try {
          await maybeKill();
          return await step();
        } catch (e) {
          failures++;
          if (attempt > 50) throw e;
          if (!child) await start();
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    };
    const pending: IdpUser[] = [...staff];
    const workers = Array.from({ length: 8 }, async () => {
      for (let u = pending.shift(); u; u = pending.shift()) {
        const person = u;
        await retried(() => entra.provision(person));
      }
    });
    await Promise.all(workers);
    await retried(() => entra.group('g-staff', SCIM_GROUPS.staff));
    for (let i = 0; i < staff.length; i += 50) {
      const batch = staff.slice(i, i + 50);
      await retried(async () => {
        const res = await entra.addMembers('g-staff', batch);
        if (res.status !== 204) throw new Error(`add members: HTTP ${res.status}`);
      });
    }
    assert.equal(kills, KILLS, 'every kill happened during the push');

    // The bridge catches up with Halo on its own (its debounce, or its start-up catch-up).
    let status: { halo: { state: string; syncedChanges: number; changes: number } } | undefined;
    for (let i = 0; i < 1200; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/status`, { headers: { Authorization: `Bearer ${SCIM_ENV.SCIM_ENTRA_TOKEN}` } });
      status = (await res.json()) as typeof status;
      if (status?.halo.state === 'idle' && status.halo.syncedChanges === status.halo.changes) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status?.halo.state, 'idle', `the bridge settled: ${JSON.stringify(status)} ${stderr.slice(-1500)}`);
    await kill();

    const store = ScimStore.openReadOnly(storeFile);
    const users = store.users(SCIM_ENTRA);
    const members = store.members(SCIM_ENTRA, store.groups(SCIM_ENTRA)[0].id);
    const groups = store.groups(SCIM_ENTRA).length;
    store.close();
    const names = new Set(users.map((u) => u.userName.toLowerCase()));
    assert.equal(users.length, USERS, 'one stored user per person');
    assert.equal(names.size, USERS);
    assert.equal(groups, 1, 'one group, however often its creation was retried');
    assert.equal(members.length, USERS, 'every membership kept');
    const halo = sim.sims.world.halo.users.filter((h) => /^pushed\./.test(String(h.emailaddress ?? '')));
    const byEmail = new Map<string, number>();
    for (const h of halo) byEmail.set(String(h.emailaddress).toLowerCase(), (byEmail.get(String(h.emailaddress).toLowerCase()) ?? 0) + 1);
    const duplicated = [...byEmail].filter(([, n]) => n > 1);
    assert.deepEqual(duplicated, [], 'no person twice in Halo');
    assert.equal(byEmail.size, USERS, 'every person in Halo');
    assert.ok(halo.every((h) => h.client_id === 2 && h.inactive === false));
    recordCase(users.length, members.length, byEmail.size, failures, kills);
  });

  it('stops gracefully on SIGTERM: what was answered 2xx is in the store, and it exits 0', async () => {
    await start();
    const entra = new EntraProvisioning(new ScimClient(`http://127.0.0.1:${port}/scim/v2`, () => `Bearer ${SCIM_ENV.SCIM_ENTRA_TOKEN}`));
    const last = people(1, 'last-before-sigterm')[0];
    const id = await entra.provision(last);
    const c = child as ChildProcess;
    const exit = new Promise<number | null>((r) => c.once('close', (code) => r(code)));
    c.kill('SIGTERM');
    assert.equal(await exit, 0, stderr.slice(-1000));
    child = undefined;
    assert.match(stderr, /SIGTERM: finishing requests in flight/);
    const store = ScimStore.openReadOnly(storeFile);
    assert.equal(store.getUser(SCIM_ENTRA, id)?.userName, last.upn);
    store.close();
  });
});

function recordCase(users: number, memberships: number, halo: number, failures: number, kills: number): void {
    record({
      id: 'scim-kill-initial-push',
      area: 'scim',
      input: `SIGKILL of \`scim serve\` ${KILLS} times during a ${USERS}-user Entra-style initial push (seed ${SEED})`,
      expected: 'store and Halo hold each person once; nothing lost',
      observed: `${users} stored users, ${memberships} memberships, ${halo} Halo users, 0 duplicates; ${failures} requests retried by the IdP`,
      faultsInjected: kills,
      passed: true,
    });
}
