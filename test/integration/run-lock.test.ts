// One apply at a time against one Halo: the second refuses (naming who holds the lock since when)
// or waits; a lock whose holder died is taken over; two CLI applies at once never interleave.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { acquireRunLock, RunLockedError } from '../../src/engine/run-lock';
import { exampleWith, SimEnv, startSimEnv } from '../support/sim-env';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
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

  const run = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env.sims.env, HALO_IDENTITY_LOCK_DIR: lockDir }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });

  it('the second refuses while the first writes, and with --wait applies after it, with nothing left to do', async () => {
    const first = run(['apply', env.file, '--yes']);
    // The first holds the lock once its plan is read.
    const deadline = Date.now() + 30_000;
    while (!fs.readdirSync(lockDir).some((d) => fs.existsSync(path.join(lockDir, d, 'owner.json'))) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const second = await run(['apply', env.file, '--yes']);
    assert.equal(second.code, 1);
    assert.match(second.stderr, /Another apply against .* is running: halo-identity apply \(process \d+/);
    assert.doesNotMatch(second.stdout, /^Apply: /m, 'nothing applied');
    const waited = run(['apply', env.file, '--yes', '--wait', '120']);
    const [a, w] = await Promise.all([first, waited]);
    assert.equal(a.code, 0, a.stdout + a.stderr);
    assert.match(a.stdout, /^Apply: \d+ applied, 0 failed, 0 stale/m);
    // The waiting apply planned before the first finished: what it finds stale or already done is
    // refused, never written twice.
    assert.doesNotMatch(w.stderr, /Another apply/);
    assert.match(w.stdout, /^Apply: /m, w.stdout + w.stderr);
    const links = env.sims.world.halo.users.map((u) => u.azureoid).filter(Boolean);
    assert.equal(new Set(links).size, links.length, 'no user created twice');
    const mails = env.sims.world.halo.agents.map((a) => String(a.email).toLowerCase());
    assert.equal(new Set(mails).size, mails.length, 'no agent created twice');
    assert.deepEqual(fs.readdirSync(lockDir), [], 'every lock released');
  });
});
