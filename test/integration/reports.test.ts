// The reports as a pipeline runs them, against the simulators (documented Halo): each writes its
// file and exits 0, or 2 with --fail-on when there is something; Halo is read with list reads only.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli';
import { exampleWith, SimEnv, startSimEnv } from '../support/sim-env';

describe('reports against the simulators', () => {
  let env: SimEnv;
  before(async () => {
    env = await startSimEnv({ worldOptions: { users: 300, seed: 11 }, mapping: exampleWith([[['safety', 'maxDeactivations'], '25%']]) });
  });
  after(() => env.close());

  const run = (args: string[]) => runCli(args, env.sims.env);
  const detailReads = () => env.sims.requests.halo.filter((r) => r.method === 'GET' && /^\/api\/(agent|users)\/\d+$/i.test(r.path)).length;
  const writes = () => env.sims.requests.halo.filter((r) => r.method === 'POST' && r.path.startsWith('/api/')).length;

  it('access: one CSV row per (record, grant) with its provenance, group paths through nested groups', async () => {
    const out = path.join(env.dir, 'access.csv');
    const before = detailReads();
    const r = await run(['report', 'access', env.file, '--format', 'csv', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const lines = fs.readFileSync(out, 'utf8').trim().split('\r\n');
    assert.equal(lines[0], 'kind,halo_id,name,email,client,site,active,entra,grant_type,grant,provenance');
    assert.ok(lines.some((l) => / → rule service-desk/.test(l)), 'a grant by the agent rule');
    assert.ok(lines.some((l) => /⊂ SG-Halo-Agents → rule service-desk/.test(l)), 'a grant through a nested group');
    assert.ok(lines.some((l) => /not granted by the mapping/.test(l)), 'a grant made by hand in Halo');
    assert.equal(detailReads() - before, 0, 'no per-record Halo read');
    assert.equal(writes(), 0, 'a report never writes');
    const md = await run(['report', 'access', env.file]);
    assert.match(md.stdout, /^# Access review$/m);
    const failing = await run(['report', 'access', env.file, '--format', 'json', '--fail-on', 'ungranted']);
    assert.equal(failing.code, 2);
    assert.ok(JSON.parse(failing.stdout).ungranted > 0);
  });

  it('licences: idle agents, named licences of people disabled in Entra, API agents apart, the monthly cost', async () => {
    const r = await run(['report', 'licences', env.file, '--format', 'json', '--idle-days', '30', '--licence-cost', '40']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.ok(report.idle > 0 && report.named > 0);
    assert.ok(report.rows.some((x: { apiAgent: boolean }) => x.apiAgent));
    assert.ok(report.rows.some((x: { flags: string[] }) => x.flags.includes('never signed in')));
    assert.equal(report.cost.named, report.named * 40);
    assert.equal((await run(['report', 'licences', env.file, '--fail-on', 'idle'])).code, 2);
  });

  it('orphans: the plan\'s orphans, agents included, exit 2 with --fail-on orphans', async () => {
    const r = await run(['report', 'orphans', env.file, '--format', 'csv', '--fail-on', 'orphans']);
    assert.equal(r.code, 2, r.stderr);
    const lines = r.stdout.trim().split('\r\n');
    assert.equal(lines[0], 'kind,halo_id,name,email,client,site,suggestions');
    assert.ok(lines.some((l) => l.startsWith('agent,')), 'an agent orphan');
    assert.ok(lines.some((l) => l.startsWith('user,')), 'a user orphan');
  });

  it('an access review: revoke a hand-granted role from the sheet; a mapping grant cannot be revoked there', async () => {
    const sheet = await run(['report', 'access', env.file, '--review-sheet']);
    assert.equal(sheet.code, 0, sheet.stderr);
    const lines = sheet.stdout.trim().split('\r\n');
    assert.equal(lines[0], 'kind,halo_id,name,email,grant_type,grant,provenance,decision,reviewer,decided_at');
    const hand = lines.findIndex((l) => l.startsWith('agent,') && l.includes(',role,') && l.includes('not granted by the mapping'));
    const mapped = lines.findIndex((l) => l.startsWith('agent,') && l.includes('→ rule service-desk'));
    assert.ok(hand > 0 && mapped > 0);
    const [, haloId, , , , role] = lines[hand].split(',');
    const decide = (i: number, decision: string) => (lines[i] = `${lines[i].replace(/,,,$/, '')},${decision},Rita Reviewer,2026-12-01T10:00:00Z`);
    decide(hand, 'revoke');
    decide(mapped, 'revoke');
    const file = path.join(env.dir, 'review.csv');
    fs.writeFileSync(file, lines.join('\r\n') + '\r\n');
    const refused = await run(['report', 'access', env.file, '--apply-review', file, '--yes']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, new RegExp(`review\\.csv:${mapped + 1}: error: role .* is granted by the mapping .*fix it in Entra`));
    assert.equal(writes(), 0, 'nothing written while the review has problems');

    lines[mapped] = lines[mapped].replace(',revoke,', ',fix in Entra,');
    fs.writeFileSync(file, lines.join('\r\n') + '\r\n');
    const siteReads = () => env.sims.requests.halo.filter((r) => r.method === 'GET' && /^\/api\/site$/i.test(r.path)).length;
    const sitesBefore = siteReads();
    const applied = await run(['report', 'access', env.file, '--apply-review', file, '--yes']);
    // Two reads of Halo: the report's (the thresholds are counted from it too) and the apply's stale check.
    assert.equal(siteReads() - sitesBefore, 2);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.match(applied.stdout, /access review: revoked by Rita Reviewer on 2026-12-01/);
    assert.match(applied.stdout, /^Review: 1 applied, 0 failed, 0 stale/m);
    const agent = env.sims.world.halo.agents.find((a) => a.id === Number(haloId))!;
    assert.ok(!(agent.roles as Array<{ name: string }>).some((r) => r.name === role), `${role} removed`);
    const journal = /Journal: (.*)/.exec(applied.stdout)![1];
    assert.match(fs.readFileSync(path.resolve(journal), 'utf8'), new RegExp(`"remove":\\["${role}"\\]`));
    const again = await run(['report', 'access', env.file, '--apply-review', file, '--yes']);
    assert.match(again.stderr, /Nothing to revoke/);
  });

  it('refuses unknown report kinds and formats clearly', async () => {
    const r = await run(['report', 'licenses', env.file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /report needs one of access, licences, orphans/);
    assert.match((await run(['report', 'access', env.file, '--format', 'xlsx'])).stderr, /--format takes csv, json, md/);
  });
});
