// One apply at a time against one Halo: the second refuses (naming who holds the lock since when)
// or waits; a lock whose holder died is taken over; two CLI applies at once never interleave.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseDocument } from 'yaml';
import { acquireRunLock, RunLockedError } from '../../src/engine/run-lock';
import { runCli } from '../support/cli';
import { exampleWith, SimEnv, startSimEnv } from '../support/sim-env';

const HALO = 'https://contoso.halopsa.com';

describe('run lock', () => {
  let root: string;
  before(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'halo-identity-locks-'))));
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('refuses a second holder with who holds it since when, and frees on release', async () => {
    const first = await acquireRunLock(HALO, 'halo-identity apply', { root });
    const refused = await acquireRunLock(`${HALO}/`, 'VS Code: Apply', { root }).catch((e: unknown) => e);
    assert.ok(refused instanceof RunLockedError);
    assert.equal(refused.owner?.pid, process.pid);
    assert.equal(refused.owner?.what, 'halo-identity apply');
    assert.match(refused.message, new RegExp(`Another apply against ${HALO} is running: halo-identity apply \\(process ${process.pid} on ${os.hostname()}, user .+\\) since \\d{4}-\\d\\d-\\d\\dT`));
    first.release();
    (await acquireRunLock(HALO, 'again', { root })).release();
    // Another Halo is another lock.
    const a = await acquireRunLock(HALO, 'a', { root });
    const b = await acquireRunLock('https://fabrikam.halopsa.com', 'b', { root });
    a.release();
    b.release();
  });

  it('waits for the holder when asked to', async () => {
    const first = await acquireRunLock(HALO, 'first', { root });
    setTimeout(() => first.release(), 400);
    const start = Date.now();
    (await acquireRunLock(HALO, 'second', { root, waitMs: 5000 })).release();
    assert.ok(Date.now() - start >= 350);
  });

  it('takes over from a holder that died, never from one alive', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const first = await acquireRunLock(HALO, 'killed apply', { root });
    const dir = path.join(root, fs.readdirSync(root).find((d) => !d.endsWith('.takeover'))!);
    const owner = JSON.parse(fs.readFileSync(path.join(dir, 'owner.json'), 'utf8'));
    fs.writeFileSync(path.join(dir, 'owner.json'), JSON.stringify({ ...owner, pid: dead }));
    const taken = await acquireRunLock(HALO, 'after the kill', { root });
    assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'owner.json'), 'utf8')).what, 'after the kill');
    first.release(); // the dead holder's release no longer removes the new holder's lock
    assert.ok(fs.existsSync(dir));
    taken.release();
    assert.ok(!fs.existsSync(dir));
  });
});

describe('run lock: two CLI applies against one Halo', () => {
  let env: SimEnv;
  let lockDir: string;
  before(async () => {
    lockDir = fs.mkdtempSync(path.join(os.tmpdir(), 'halo-identity-cli-locks-'));
    // Small batches and some latency: the first apply takes a couple of seconds.
    env = await startSimEnv({ worldOptions: { users: 300, seed: 11, anomalies: false }, latencyMs: 15, mapping: exampleWith([[['safety', 'maxDeactivations'], '50%'], [['safety', 'maxChanges'], undefined], [['halo', 'batchSize'], 5]]) });
  });
  after(async () => {
    await env.close();
    fs.rmSync(lockDir, { recursive: true, force: true });
  });

  const run = (args: string[]) => runCli(args, { ...env.sims.env, HALO_IDENTITY_LOCK_DIR: lockDir });

  it('an apply refuses while another holds the lock, naming it; with --wait it applies once the lock is free', async () => {
    const halo = String((parseDocument(fs.readFileSync(env.file, 'utf8')).toJS() as { halo: { url: string } }).halo.url);
    const holder = await acquireRunLock(halo, 'a pipeline apply', { root: lockDir });
    const posts = () => env.sims.requests.halo.filter((r) => r.method === 'POST' && r.path.startsWith('/api/')).length;
    const refused = await run(['apply', env.file, '--yes']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, new RegExp(`Another apply against .* is running: a pipeline apply \\(process ${process.pid} on `));
    assert.equal(posts(), 0, 'nothing written');
    const waiting = run(['apply', env.file, '--yes', '--wait', '120']);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(posts(), 0, 'still waiting');
    holder.release();
    const done = await waiting;
    assert.equal(done.code, 0, done.stdout + done.stderr);
    assert.match(done.stdout, /^Apply: \d+ applied, 0 failed, 0 stale/m);
  });

  it('two applies started at once (both --wait) run one after the other: nothing written twice', async () => {
    env.sims.world.graph[0].users.slice(0, 40).forEach((u) => (u.jobTitle = `${String(u.jobTitle)} (acting)`));
    const [a, b] = await Promise.all([run(['apply', env.file, '--yes', '--wait', '120']), run(['apply', env.file, '--yes', '--wait', '120'])]);
    assert.match(a.stdout + b.stdout, /^Apply: [1-9]\d* applied/m, a.stdout + a.stderr + b.stdout + b.stderr);
    assert.doesNotMatch(a.stderr + b.stderr, /Another apply/);
    const links = env.sims.world.halo.users.map((u) => u.azureoid).filter(Boolean);
    assert.equal(new Set(links).size, links.length, 'no user created twice');
    const mails = env.sims.world.halo.agents.map((x) => String(x.email).toLowerCase());
    assert.equal(new Set(mails).size, mails.length, 'no agent created twice');
    assert.deepEqual(fs.readdirSync(lockDir), [], 'every lock released');
  });
});
