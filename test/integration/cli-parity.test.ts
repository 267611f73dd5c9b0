// The command line has what the extension has: init (New Mapping File), validate --live (live
// names with did-you-mean), test (Test Connections) and apply --only (Apply Selected).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseDocument } from 'yaml';
import { runCli } from '../support/cli';
import { exampleWith, SimEnv, startSimEnv } from '../support/sim-env';

const run = runCli;

describe('cli: init', () => {
  it('writes a mapping whose blanks validate points at, and never overwrites one', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halo-identity-init-'));
    try {
      const made = await run(['init'], {}, dir);
      assert.equal(made.code, 0, made.stderr);
      const file = path.join(dir, 'halo-identity.yaml');
      assert.match(fs.readFileSync(file, 'utf8'), /^version: 1$/m);
      const checked = await run(['validate'], {}, dir);
      assert.equal(checked.code, 1);
      assert.match(checked.stdout, /halo\.url/);
      assert.match(checked.stdout, /tenantId/);
      fs.appendFileSync(file, '# mine\n');
      const again = await run(['init'], {}, dir);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /already exists; nothing was written/);
      assert.match(fs.readFileSync(file, 'utf8'), /# mine\n$/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The simulators' mapping file (their URLs and CA) with some settings changed, written beside it. */
function variant(env: SimEnv, name: string, changes: Array<[Array<string | number>, unknown]>): string {
  const doc = parseDocument(fs.readFileSync(env.file, 'utf8'));
  for (const [p, v] of changes) doc.setIn(p, v);
  const file = path.join(env.dir, name);
  fs.writeFileSync(file, doc.toString());
  return file;
}

describe('cli: validate --live, test and apply --only against the simulators', () => {
  let env: SimEnv;
  before(async () => {
    env = await startSimEnv({ worldOptions: { users: 150, seed: 11 }, mapping: exampleWith([[['safety', 'maxDeactivations'], '25%']]) });
  });
  after(() => env.close());

  it('validate --live flags unknown group and role names with did-you-mean, and --names checks them again offline', async () => {
    const file = variant(env, 'typos.yaml', [
      [['agents', 0, 'from', 'group'], 'SG-Halo-Agnts'],
      [['agents', 0, 'roles'], ['Technican']],
    ]);
    const names = path.join(env.dir, 'names.json');
    const offline = await run(['validate', file], env.sims.env);
    assert.equal(offline.code, 0, offline.stdout + offline.stderr);
    const live = await run(['validate', file, '--live', '--save-names', names], env.sims.env);
    assert.equal(live.code, 1, live.stdout + live.stderr);
    assert.match(live.stdout, /typos\.yaml:\d+:\d+: error: .*"SG-Halo-Agnts".*did you mean "SG-Halo-Agents"/);
    assert.match(live.stdout, /typos\.yaml:\d+:\d+: error: .*"Technican".*did you mean "Technician"/);
    const saved = fs.readFileSync(names, 'utf8');
    assert.ok(!saved.includes('@'), 'names only: no email address is saved');
    const before = env.sims.requests.halo.length + env.sims.requests.graph.length;
    const again = await run(['validate', file, '--names', names]);
    assert.equal(again.code, 1);
    assert.equal(again.stdout, live.stdout);
    assert.equal(env.sims.requests.halo.length + env.sims.requests.graph.length, before, 'no request with --names');

    const signIn = variant(env, 'sign-in.yaml', [[['fields', 'users', 'CFLastSignIn'], 'signInActivity.lastSignInDateTime']]);
    const warned = await run(['validate', signIn, '--live'], env.sims.env);
    assert.equal(warned.code, 0, warned.stdout + warned.stderr);
    assert.match(warned.stdout, /sign-in\.yaml:\d+:\d+: warning: signInActivity\.lastSignInDateTime needs the Graph permission AuditLog\.Read\.All, which Entra "contoso" has not granted/);
  });

  it('test reports what each side can do, and exits 1 with the fix when a permission the mapping needs is missing', async () => {
    const ok = await run(['test', env.file], env.sims.env);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /^ok {3}Halo .*signed in as "API Integration".*may read and write/m);
    assert.match(ok.stdout, /^ok {3}Entra contoso: application permissions: .*User\.Read\.All/m);

    const lastSignIn = variant(env, 'last-sign-in.yaml', [
      [['fields', 'users', 'CFLastSignIn'], 'signInActivity.lastSignInDateTime'],
      [['halo', 'scope'], 'read:customers'],
    ]);
    const missing = await run(['test', lastSignIn], env.sims.env);
    assert.equal(missing.code, 1, missing.stdout + missing.stderr);
    assert.match(missing.stdout, /^FAIL Entra contoso: .*missing AuditLog\.Read\.All/m);
    assert.match(missing.stdout, /fix: In Entra, App registrations → .* add the Microsoft Graph application permission AuditLog\.Read\.All, then "Grant admin consent"/);
    assert.match(missing.stdout, /^FAIL Halo .*cannot read agents \(GET \/api\/Agent: 403\)/m);
    assert.match(missing.stdout, /write users \(scope admin or edit:customers\)/);
  });

  it('apply --only KEY applies that change and the site it needs, and nothing else', async () => {
    const json = path.join(env.dir, 'plan.json');
    const planned = await run(['plan', env.file, '--json', json], env.sims.env);
    assert.equal(planned.code, 0, planned.stderr);
    const plan = JSON.parse(fs.readFileSync(json, 'utf8')) as { changes: Array<{ key: string; action: string; kind: string; site?: { id: number | null; name: string } }> };
    const user = plan.changes.find((c) => c.action === 'create' && c.kind === 'user' && c.site?.id === null)!;
    assert.ok(user?.key, 'each change carries its key');
    const posts = () => env.sims.requests.halo.filter((r) => r.method === 'POST' && r.path.startsWith('/api/')).length;
    const before = posts();
    const applied = await run(['apply', env.file, '--yes', '--only', user.key, '--only', 'update|user|contoso|gone||'], env.sims.env);
    assert.match(applied.stderr, /--only update\|user\|contoso\|gone\|\|: no such change in this plan/);
    assert.match(applied.stderr, new RegExp(`Also applying createSite site "${user.site!.name}"`));
    assert.match(applied.stdout, /Apply: 2 applied, 0 failed, 0 stale/);
    assert.equal(applied.code, 1, 'a key that named nothing is not a clean run');
    assert.equal(posts() - before, 2, 'one POST for the site, one for the user');
    const after = JSON.parse(fs.readFileSync(json, 'utf8'));
    assert.ok(after.changes.length > 2);
  });
});
