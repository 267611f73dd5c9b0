// The built `halo-identity` command as a user runs it: exit codes, outputs, files, and no secrets.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseDocument } from 'yaml';
import { ROOT, runCli } from '../support/cli';
import { exampleWith, onDocumentedHalo, SimEnv, startSimEnv } from '../support/sim-env';

const run = runCli;

describe('cli: validate', () => {
  it('accepts the example and reports problems as FILE:LINE:COL', async () => {
    const ok = await run(['validate', 'examples/halo-identity.yaml']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /^Valid/m);
    const dir = fs.mkdtempSync(path.join(ROOT, 'out', 'cli-'));
    const bad = path.join(dir, 'halo-identity.yaml');
    fs.writeFileSync(bad, fs.readFileSync(path.join(ROOT, 'examples/halo-identity.yaml'), 'utf8').replace('licence: named', 'licence: nmed'));
    const res = await run(['validate'], {}, dir);
    assert.equal(res.code, 1);
    assert.match(res.stdout, new RegExp(`${bad.replace(/[.\\]/g, '\\$&')}:\\d+:\\d+: error: .*licence`));
    assert.doesNotMatch(res.stderr + res.stdout, /at .*\.js:\d+/, 'no stack trace');
  });

  it('explains a missing file and an unknown command without a stack trace', async () => {
    const missing = await run(['plan', 'nope.yaml']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.yaml not found/);
    const unknown = await run(['plna']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /Unknown command "plna"/);
  });
});

describe('cli: plan and apply against the simulators', () => {
  let env: SimEnv;
  before(async () => {
    env = await startSimEnv({ worldOptions: { users: 150, seed: 11, anomalies: false }, mapping: exampleWith([[['safety', 'maxDeactivations'], '25%']]) });
  });
  after(() => env.close());

  it('plans with detailed exit codes and byte-identical JSON, refuses an unconfirmed apply, applies with --yes', async () => {
    const secrets = Object.values(env.sims.env);
    const json1 = path.join(env.dir, 'plan1.json');
    const json2 = path.join(env.dir, 'plan2.json');
    const md = path.join(env.dir, 'plan.md');
    const p1 = await run(['plan', env.file, '--json', json1, '--markdown', md, '--detailed-exitcode'], env.sims.env);
    assert.equal(p1.code, 2, p1.stderr);
    assert.match(p1.stdout, /^Plan: \d+ to create/m);
    const p2 = await run(['plan', env.file, '--json', json2], env.sims.env);
    assert.equal(p2.code, 0);
    // Same inputs, same bytes, but for what a read says of itself: where Halo's rows lack the link
    // (older-rows mode) the first plan reads details and says so, and the second finds them linked.
    const withoutWarnings = (file: string) => JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), warnings: null }, null, 2);
    assert.equal(withoutWarnings(json1), withoutWarnings(json2), 'same inputs, same bytes');
    const warned = (file: string): string[] => JSON.parse(fs.readFileSync(file, 'utf8')).warnings;
    assert.deepEqual(warned(json2).filter((w) => !warned(json1).includes(w)), [], 'the second plan warns of nothing the first did not');
    if (onDocumentedHalo()) assert.equal(fs.readFileSync(json1, 'utf8'), fs.readFileSync(json2, 'utf8'), 'documented Halo: byte for byte');
    const plan = JSON.parse(fs.readFileSync(json1, 'utf8'));
    assert.equal(plan.version, 1);
    assert.ok(plan.summary.create > 0);
    assert.match(fs.readFileSync(md, 'utf8'), /^# Halo Identity plan/);

    const refused = await run(['apply', env.file], env.sims.env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /Refusing to write to Halo without confirmation/);
    assert.equal(env.sims.requests.halo.filter((r) => r.method === 'POST' && r.path.startsWith('/api/')).length, 0);

    const journal = path.join(env.dir, 'journal.jsonl');
    const userPages = () => env.sims.requests.halo.filter((r) => r.method === 'GET' && /^\/api\/users$/i.test(r.path)).length;
    const pagesBefore = userPages();
    const applied = await run(['apply', env.file, '--yes', '--journal', journal], env.sims.env);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    const applyPages = env.sims.requests.halo.filter((r) => r.method === 'GET' && /^\/api\/users$/i.test(r.path)).slice(pagesBefore);
    // The request pattern of documented Halo (POST answers without the saved records, rows with the
    // link); every mode's counts against its own floor are bench/modes.ts's.
    if (onDocumentedHalo()) {
      assert.equal(applyPages.length, pagesBefore / 3 + 1, "with --yes the plan's read is the fresh read: Halo users listed once, plus one page of what was created");
      assert.deepEqual({ order: applyPages.at(-1)!.query.order, orderdesc: applyPages.at(-1)!.query.orderdesc }, { order: 'id', orderdesc: 'true' }, 'the ids Halo gave come from one newest-first page, not from the POST answers');
      assert.equal(env.sims.requests.halo.filter((r) => r.method === 'GET' && /^\/api\/(users|agent)\/\d+$/i.test(r.path)).length, 0, 'no per-record reads');
    }
    assert.match(applied.stdout, /Apply: \d+ applied, 0 failed, 0 stale/);
    const after = await run(['plan', env.file, '--detailed-exitcode'], env.sims.env);
    assert.equal(after.code, 0, after.stdout);

    const posts = env.sims.requests.halo.filter((r) => r.method === 'POST').length;
    const revert = await run(['revert', journal, env.file, '--json', path.join(env.dir, 'revert.json')], env.sims.env);
    assert.equal(revert.code, 0, revert.stderr);
    assert.match(revert.stdout, /^To deactivate \(\d+\):/m, 'the creates are undone by deactivation');
    assert.equal(JSON.parse(fs.readFileSync(path.join(env.dir, 'revert.json'), 'utf8')).summary.create, 0, 'a revert never creates');
    assert.equal(env.sims.requests.halo.filter((r) => r.method === 'POST').length, posts, 'without --apply nothing is written');

    // revert --apply passes the same safety gate as apply: over maxDeactivations it is refused, writing nothing.
    const strict = path.join(env.dir, 'strict.yaml');
    const doc = parseDocument(fs.readFileSync(env.file, 'utf8'));
    doc.setIn(['safety', 'maxDeactivations'], 1);
    fs.writeFileSync(strict, doc.toString());
    const writes = () => env.sims.requests.halo.filter((r) => r.method === 'POST' && r.path.startsWith('/api/')).length;
    const writesBefore = writes();
    const gated = await run(['revert', journal, strict, '--apply', '--yes'], env.sims.env);
    assert.equal(gated.code, 1, gated.stdout + gated.stderr);
    assert.match(gated.stderr, /Revert refused: \d+ deactivations exceed safety.maxDeactivations \(1\)\. Run again with --allow-over-threshold/);
    assert.equal(writes(), writesBefore, 'a refused revert writes nothing to Halo (its read only signs in)');
    const forced = await run(['revert', journal, strict, '--apply', '--yes', '--allow-over-threshold', '--journal', path.join(env.dir, 'revert.jsonl')], env.sims.env);
    assert.equal(forced.code, 0, forced.stdout + forced.stderr);
    assert.match(forced.stdout, /Revert: \d+ applied, 0 failed, 0 stale/);
    const start = JSON.parse(fs.readFileSync(path.join(env.dir, 'revert.jsonl'), 'utf8').split('\n')[0]);
    assert.deepEqual({ type: start.type, override: start.override, limit: start.blocked?.limit }, { type: 'start', override: true, limit: 'maxDeactivations' }, 'the journal says the threshold was overridden');

    const everything = [p1, p2, refused, applied, after, revert].map((r) => r.stdout + r.stderr).join('\n') + fs.readFileSync(journal, 'utf8') + fs.readFileSync(json1, 'utf8');
    for (const s of secrets.filter((v) => /secret|halo-sim/.test(v))) assert.ok(!everything.includes(s), 'a secret value leaked into output');
  });

  it('names missing credentials instead of failing obscurely', async () => {
    const res = await run(['plan', env.file], { HALO_CLIENT_SECRET: '' , HALO_CLIENT_ID: '', ENTRA_CLIENT_ID: '', ENTRA_CLIENT_SECRET: '' });
    assert.equal(res.code, 1);
    assert.match(res.stderr, /Missing credentials: environment variable HALO_CLIENT_ID/);
  });
});

describe('cli: a Halo whose rows carry no link (older document)', () => {
  let env: SimEnv;
  before(async () => {
    env = await startSimEnv({ worldOptions: { users: 150, seed: 12, anomalies: false }, haloModes: { userRows: 'older' } });
  });
  after(() => env.close());

  it('announces the detail reads with their count before it starts, shows their progress, and makes none on the next plan', async () => {
    const first = await run(['plan', env.file], env.sims.env);
    assert.equal(first.code, 0, first.stderr);
    const announced = /lack what the plan needs for (\d+) records: reading their details one by one \((\d+) requests/.exec(first.stderr);
    assert.ok(announced, first.stderr);
    assert.equal(announced[1], announced[2]);
    assert.match(first.stderr, new RegExp(`Halo records read one by one \\(${announced[1]}/${announced[1]}\\)`), 'the bar reaches the end');
    const details = () => env.sims.requests.halo.filter((r) => /^\/api\/users\/\d+$/i.test(r.path)).length;
    assert.equal(details(), Number(announced[1]), 'exactly the announced reads');
    const second = await run(['plan', env.file], env.sims.env);
    assert.equal(second.code, 0, second.stderr);
    assert.doesNotMatch(second.stderr, /one by one/, 'links remembered with unchanged rows: no detail read');
    assert.equal(details(), Number(announced[1]));
  });
});

describe('cli: demo', () => {
  it('runs on the embedded simulators and converges', async () => {
    const res = await run(['demo', '--users', '80']);
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.match(res.stdout, /Converged: Halo now matches the mapping/);
    assert.match(res.stdout, /Second plan: 0 to create, 0 to update, 0 to reactivate, 0 to deactivate/);
  });

  it('--scim: simulated Entra and Okta push to the bridge, which brings Halo to match', async () => {
    const res = await run(['demo', '--scim', '--users', '30']);
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.match(res.stdout, /Entra Test Connection: HTTP 200, 0 found; HTTP 200, 0 found/);
    assert.match(res.stdout, /Entra \(OAuth client credentials\) pushed 30 users and 3 groups/);
    assert.match(res.stdout, /Bridge sync: [1-9]\d* changes planned, [1-9]\d* applied to Halo/);
    assert.match(res.stdout, /plan, reading the bridge's store: 0 to create, 0 to update, 0 to reactivate, 0 to deactivate/);
    assert.match(res.stdout, /Converged/);
  });
});
