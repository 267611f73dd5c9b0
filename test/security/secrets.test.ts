// A demo-like run of the built CLI (plan with --json/--markdown, incremental plan, applies that
// fail and succeed, refused sign-ins) with HALO_IDENTITY_DEBUG unset; then every artefact it left
// (stdout, stderr, plan files, journals, the state folder) is searched for every secret value:
// the simulators' client secrets, wrong secrets given on purpose, and every bearer token the
// simulators issued during the run.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TokenMinter } from '../../src/sim/graph/tokens';
import { TokenStore } from '../../src/sim/halo/tokens';
import { generateWorld } from '../../src/sim/world';
import { CLI, FaultEnv, record, startFaultEnv } from '../faults/support';

// Catch every token the simulators hand out (the CLI runs in another process; the sims run here).
const issued: string[] = [];
const issue = TokenStore.prototype.issue;
TokenStore.prototype.issue = function (this: TokenStore, clientId: string, scope: string) {
  const t = issue.call(this, clientId, scope);
  issued.push(t.token);
  return t;
};
const mint = TokenMinter.prototype.mint;
TokenMinter.prototype.mint = function (this: TokenMinter, claims: Parameters<typeof mint>[0]) {
  const t = mint.call(this, claims);
  issued.push(t);
  return t;
};

interface Out {
  code: number;
  stdout: string;
  stderr: string;
}

describe('security: no secret in any artefact', () => {
  let env: FaultEnv;
  const outputs: Array<{ what: string } & Out> = [];
  const WRONG = { halo: 'wrong-halo-secret-5f1c9a', entra: 'wrong-entra-secret-77d2be' };

  function cli(what: string, args: string[], extraEnv: Record<string, string> = {}): Promise<Out> {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env.sims.env, ...extraEnv };
    delete childEnv.HALO_IDENTITY_DEBUG;
    return new Promise((resolve) => {
      execFile(process.execPath, [CLI, ...args], { cwd: env.dir, env: childEnv, timeout: 60_000 }, (err, stdout, stderr) => {
        const out = { code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr };
        outputs.push({ what, ...out });
        resolve(out);
      });
    });
  }

  before(async () => {
    assert.ok(fs.existsSync(CLI), `${CLI} is missing: npm run build first`);
    env = await startFaultEnv({ world: generateWorld({ users: 150, seed: 41, anomalies: false }) });
  });
  after(() => env.close());

  it('a demo-like flow leaves no secret and no token anywhere', async () => {
    const f = env.file;
    assert.equal((await cli('plan', ['plan', f, '--json', 'plan.json', '--markdown', 'plan.md'])).code, 0);
    assert.equal((await cli('plan --incremental', ['plan', f, '--incremental', '--json', 'plan-incremental.json'])).code, 0);
    // Halo refuses every user write: the apply fails with Halo's message for each.
    env.sims.faults.halo.add({ method: 'POST', path: /^\/api\/users$/i, kind: 'status', status: 400, body: JSON.stringify({ Message: 'The request is invalid.', ModelState: { '[0].site_id': ['Site refused'] } }), times: Infinity });
    const failing = await cli('failing apply', ['apply', f, '--yes', '--journal', 'failing.jsonl']);
    env.sims.faults.halo.clear();
    assert.equal(failing.code, 1);
    assert.match(failing.stdout, /! create user .*The request is invalid\. \[0\]\.site_id: Site refused/);
    assert.equal((await cli('apply', ['apply', f, '--yes'])).code, 0, 'the default journal goes in the state folder');
    assert.equal((await cli('plan after apply', ['plan', f, '--detailed-exitcode'])).code, 0);
    const badEntra = await cli('wrong Entra secret', ['plan', f], { ENTRA_CLIENT_SECRET: WRONG.entra });
    assert.equal(badEntra.code, 1);
    assert.match(badEntra.stderr, /Sign-in to Entra tenant/);
    const badHalo = await cli('wrong Halo secret', ['plan', f], { HALO_CLIENT_SECRET: WRONG.halo });
    assert.equal(badHalo.code, 1);
    assert.match(badHalo.stderr, /Error: .*(Halo|token|credentials|client)/i);
    // A refusal, not a 503: the CLI's own Graph backoff (about 30 s) is not shortened here.
    env.sims.faults.graph.add({ path: /\/v1\.0\/users$/, kind: 'status', status: 403, times: Infinity });
    const graphDown = await cli('Graph refusing', ['apply', f, '--yes']);
    env.sims.faults.graph.clear();
    assert.equal(graphDown.code, 1);

    const secrets = [env.sims.env.HALO_CLIENT_SECRET, env.sims.env.ENTRA_CLIENT_SECRET, WRONG.halo, WRONG.entra];
    assert.ok(issued.length >= 4, `${issued.length} tokens issued`);
    // A token cut short is still a leak: look for its head and tail as well.
    const needles = [...secrets, ...issued.flatMap((t) => [t, t.slice(0, 24), t.slice(-24)])];
    const artefacts: Array<[string, string]> = outputs.flatMap((o) => [[`${o.what}: stdout`, o.stdout], [`${o.what}: stderr`, o.stderr]] as Array<[string, string]>);
    const files = fs.readdirSync(env.dir, { recursive: true }).map(String).filter((p) => fs.statSync(path.join(env.dir, p)).isFile());
    for (const p of files) artefacts.push([p, fs.readFileSync(path.join(env.dir, p), 'utf8')]);
    for (const must of ['plan.json', 'plan.md', 'failing.jsonl']) assert.ok(files.includes(must), `${must} written`);
    assert.ok(files.some((p) => p.startsWith(`.halo-identity${path.sep}journals`)), 'a journal in the state folder');
    assert.ok(files.some((p) => p.startsWith('.halo-identity') && !p.includes('journals')), 'state folder files');
    const leaks: string[] = [];
    for (const [where, text] of artefacts) for (const n of needles) if (text.includes(n)) leaks.push(`${where} contains ${n.slice(0, 6)}…`);
    assert.deepEqual(leaks, []);
    for (const o of outputs) assert.doesNotMatch(`\n${o.stdout}\n${o.stderr}`, /\n\s+at /, `${o.what}: no stack trace`);
    record({
      id: 'security-no-secret-in-artefacts',
      area: 'security',
      input: `${outputs.length} CLI runs (plan --json/--markdown, plan --incremental, failing apply, apply, wrong Entra and Halo secrets, Graph refusing), HALO_IDENTITY_DEBUG unset`,
      expected: 'no client secret, wrong secret or issued bearer token in stdout, stderr, plan JSON/MD, journals or state folder',
      observed: `${artefacts.length} artefacts searched for ${secrets.length} secrets and ${issued.length} tokens: 0 found`,
      faultsInjected: 3,
      passed: true,
      files,
      artefacts: artefacts.length,
      found: leaks.length,
    });
  });
});
