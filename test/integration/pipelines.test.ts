// The pipeline recipes in examples/pipelines/ run as written. The GitHub workflow passes
// action-validator (a schema validator for workflow files, from npm, run offline) and a broken
// copy of it does not. Azure Pipelines has no validator that runs offline, so its file is parsed
// with `yaml` and its structure checked here. Then both are run: every shell step (`run:` in the
// workflow, `bash:` in Azure), in order, with bash, against the simulators, with what the platform
// would give them (its files for outputs, PATH and the summary; the secrets as environment
// variables; the state folder carried between jobs as the platform's cache carries it), for every
// customer of the matrix: a pull request's plan, the plan and apply on main, and the next plan,
// which finds nothing to do.
//
// What is not run: the steps that only make sense on the platform (`uses:` actions and Azure
// tasks: checkout, setup-node, cache, artifacts; the PR comment's script is run against a fake
// GitHub API below). `npm ci` is the one command stood in for: the npm on the steps' PATH links
// node_modules/.bin/halo-identity to the built dist/cli.js, as npm ci of a repo that pins
// halo-identity would install it; that the package installs for real is pack.test.ts's business.
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { startSimulators, Simulators, writeSimulatorFiles } from '../../src/sim';
import { CLI, ROOT, runProcess } from '../support/cli';
import { exampleWith } from '../support/sim-env';

const GITHUB = path.join(ROOT, 'examples', 'pipelines', 'github-actions.yml');
const AZURE = path.join(ROOT, 'examples', 'pipelines', 'azure-pipelines.yml');
const VALIDATOR = path.join(ROOT, 'node_modules', '@action-validator', 'cli', 'cli.mjs');
const HEADING = /^# Halo Identity plan$/m;

/** A parsed pipeline file: read by shape, checked by the assertions. */
type Yaml = Record<string, any>;


// ---------------------------------------------------------------------------------------------
// One simulated tenant and Halo per customer, the mappings where the pipelines expect them, and a
// bin folder whose npm stands in for `npm ci`.

interface Customer {
  name: string;
  sims: Simulators;
  /** The simulators' credentials: what the platform's secret store holds for this customer. */
  env: Record<string, string>;
}

class World {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halo-identity-pipelines-'));
  /** The repository the pipelines check out: customers/<name>/halo-identity.yaml. */
  readonly repo = path.join(this.dir, 'repo');
  readonly bin = path.join(this.dir, 'bin');
  readonly customers = new Map<string, Customer>();
  /**
   * The platform's cache, as actions/cache and Cache@2 keep it: entries that never change once
   * saved, each visible to runs of its own ref and of main; a restore takes the exact key, else
   * the newest entry starting with each restore key in turn.
   */
  readonly cache: Array<{ key: string; ref: string; dir: string }> = [];
  private jobs = 0;

  constructor() {
    fs.mkdirSync(this.bin, { recursive: true });
    const npm = path.join(this.bin, 'npm');
    fs.writeFileSync(
      npm,
      [
        '#!/usr/bin/env bash',
        '# npm in the pipeline tests: `npm ci` puts halo-identity where npm ci of the MSP repo puts it.',
        'if [ "${1:-}" != ci ]; then echo "npm $*: not part of the pipeline test" >&2; exit 1; fi',
        'mkdir -p node_modules/.bin',
        `printf '#!/bin/sh\\nexec "%s" "%s" "$@"\\n' ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} > node_modules/.bin/halo-identity`,
        'chmod +x node_modules/.bin/halo-identity',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
  }

  async addCustomer(name: string, seed: number): Promise<Customer> {
    const sims = await startSimulators({ worldOptions: { users: 60, seed, anomalies: false } });
    writeSimulatorFiles(sims, path.join(this.repo, 'customers', name), exampleWith([[['safety', 'maxDeactivations'], '25%']]));
    const c = { name, sims, env: sims.env };
    this.customers.set(name, c);
    return c;
  }

  /** A fresh runner's checkout: the repository's files, no node_modules, no state folder. */
  checkout(): string {
    const ws = path.join(this.dir, `job-${++this.jobs}`);
    fs.cpSync(this.repo, ws, { recursive: true, filter: (src) => !src.split(path.sep).includes('.halo-identity') });
    return ws;
  }

  restore(ws: string, p: string, key: string, restoreKeys: string[], ref: string): boolean {
    const visible = this.cache.filter((e) => e.ref === ref || e.ref === 'refs/heads/main').reverse();
    const hit = visible.find((e) => e.key === key) ?? restoreKeys.map((k) => visible.find((e) => e.key.startsWith(k))).find(Boolean);
    if (!hit) return false;
    fs.cpSync(hit.dir, path.join(ws, p), { recursive: true });
    return true;
  }

  /** False, as the platform warns and goes on, when the path is not there. */
  save(ws: string, p: string, key: string, ref: string): boolean {
    const from = path.join(ws, p);
    if (!fs.existsSync(from)) return false;
    assert.ok(!this.cache.some((e) => e.key === key && e.ref === ref), `cache key ${key} is new (a cache entry never changes: saving it again would keep the old state)`);
    const dir = path.join(this.dir, 'cache', String(this.cache.length));
    fs.cpSync(from, dir, { recursive: true });
    this.cache.push({ key, ref, dir });
    return true;
  }

  /** The environment a hosted runner starts a step with, before the platform's own variables. */
  baseEnv(home: string): Record<string, string> {
    return { PATH: [this.bin, path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(path.delimiter), HOME: home, LANG: 'C.UTF-8', TMPDIR: os.tmpdir(), CI: 'true' };
  }

  secrets(): string[] {
    return [...this.customers.values()].flatMap((c) => Object.values(c.env)).filter((v) => /secret|halo-sim/.test(v));
  }

  async close(): Promise<void> {
    await Promise.all([...this.customers.values()].map((c) => c.sims.stop()));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function haloWrites(c: Customer): number {
  return c.sims.requests.halo.filter((r) => r.method === 'POST' && r.path.startsWith('/api/')).length;
}

// ---------------------------------------------------------------------------------------------
// GitHub Actions: just enough of the runner to run a job's `run:` steps.

interface GhEvent {
  name: string;
  ref: string;
  /** github.run_id: the plan and apply jobs of one workflow run share it. */
  run: number;
}

interface GhContext {
  matrix: Record<string, string>;
  secrets: Record<string, string>;
  inputs: Record<string, string>;
}

/**
 * The expressions the recipe uses in `env:`, `with:` and `if:`; anything else is refused, so the
 * test cannot silently skip one. hashFiles hashes the file in the workspace as GitHub's does
 * (sha256; any stable digest would do here), and asks that it exists.
 */
function ghExpr(expr: string, ctx: GhContext, event: GhEvent, ws: string): string {
  let m: RegExpExecArray | null;
  const secret = (name: string) => {
    const v = ctx.secrets[name];
    if (v === undefined) throw new Error(`secret ${name} is not in the test's secret store`);
    return v;
  };
  const format = (f: string, key: string) => f.replace('{0}', ctx.matrix[key]);
  if ((m = /^matrix\.([\w-]+)$/.exec(expr))) return ctx.matrix[m[1]] ?? '';
  if ((m = /^inputs\.([\w-]+)$/.exec(expr))) return ctx.inputs[m[1]] ?? '';
  if ((m = /^secrets\.(\w+)$/.exec(expr))) return secret(m[1]);
  if ((m = /^secrets\[format\('([^']*)', matrix\.([\w-]+)\)\]$/.exec(expr))) return secret(format(m[1], m[2]));
  if ((m = /^hashFiles\(format\('([^']*)', matrix\.([\w-]+)\)\)$/.exec(expr))) {
    const file = path.join(ws, format(m[1], m[2]));
    assert.ok(fs.existsSync(file), `hashFiles names a file of the checkout: ${file}`);
    return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  }
  if (expr === 'github.run_id') return String(event.run);
  if (expr === 'github.run_attempt') return '1';
  throw new Error(`the pipeline test does not evaluate \${{ ${expr} }}`);
}

function ghEval(text: string, ctx: GhContext, event: GhEvent, ws: string): string {
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expr: string) => ghExpr(expr, ctx, event, ws));
}

/** A step's `if:`: always(), github.event_name == / != '…', joined with &&. */
function ghIf(cond: string | undefined, event: GhEvent, failed: boolean): boolean {
  if (cond === undefined) return !failed;
  let always = false;
  const ok = cond.split('&&').every((term) => {
    const t = term.trim();
    if (t === 'always()') return (always = true);
    const m = /^github\.event_name (==|!=) '(\w+)'$/.exec(t);
    if (!m) throw new Error(`the pipeline test does not evaluate if: ${cond}`);
    return (event.name === m[2]) === (m[1] === '==');
  });
  return ok && (always || !failed);
}

interface StepRun {
  name: string;
  id?: string;
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

interface JobRun {
  steps: StepRun[];
  summary: string;
  ws: string;
  restored: boolean;
}

function readKeyValues(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n') : [];
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2], i + 1);
      out[heredoc[1]] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (lines[i].includes('=')) {
      out[lines[i].slice(0, lines[i].indexOf('='))] = lines[i].slice(lines[i].indexOf('=') + 1);
    }
  }
  return out;
}

async function runGhJob(world: World, job: Yaml, ctx: GhContext, event: GhEvent): Promise<JobRun> {
  const ws = world.checkout();
  const temp = fs.mkdtempSync(path.join(world.dir, 'runner-temp-'));
  const home = path.join(temp, 'home');
  fs.mkdirSync(home);
  const ev = (v: unknown) => ghEval(String(v), ctx, event, ws);
  const jobEnv = Object.fromEntries(Object.entries((job.env ?? {}) as Record<string, string>).map(([k, v]) => [k, ev(v)]));
  const githubPath: string[] = [];
  const extraEnv: Record<string, string> = {};
  const steps: StepRun[] = [];
  let restored = false;
  let failed = false;
  for (const [i, step] of (job.steps as Yaml[]).entries()) {
    if (!ghIf(step.if, event, failed)) continue;
    if (step.uses) {
      // The platform's steps; of these the cache matters to what the shell steps see, and the
      // artifacts' paths must be there.
      const uses = String(step.uses);
      if (uses.startsWith('actions/cache/restore@')) {
        assert.equal(ev(step.with.path), path.join(path.dirname(jobEnv.MAPPING), '.halo-identity'), 'the cached path is the state folder beside the mapping');
        restored = world.restore(ws, ev(step.with.path), ev(step.with.key), String(step.with['restore-keys']).split('\n').map((k) => ev(k.trim())).filter(Boolean), event.ref);
      } else if (uses.startsWith('actions/cache/save@')) {
        world.save(ws, ev(step.with.path), ev(step.with.key), event.ref);
      } else if (uses.startsWith('actions/upload-artifact@')) {
        for (const p of ev(step.with.path).split('\n').filter(Boolean)) {
          if (step.with['if-no-files-found'] === 'ignore' && !fs.existsSync(path.join(ws, p))) continue;
          assert.ok(fs.existsSync(path.join(ws, p)), `${step.name ?? uses}: ${p} exists to upload`);
        }
      }
      continue;
    }
    assert.equal(step['working-directory'], undefined);
    const script = String(step.run);
    assert.doesNotMatch(script, /\$\{\{/, `${step.name}: values reach the script through env:, not \${{ }}`);
    const file = path.join(temp, `step-${i}.sh`);
    fs.writeFileSync(file, script);
    const files = { GITHUB_OUTPUT: path.join(temp, `output-${i}`), GITHUB_STEP_SUMMARY: path.join(temp, `summary-${i}.md`), GITHUB_PATH: path.join(temp, `path-${i}`), GITHUB_ENV: path.join(temp, `env-${i}`) };
    for (const f of Object.values(files)) fs.writeFileSync(f, '');
    const base = world.baseEnv(home);
    const env = {
      ...base,
      PATH: [...githubPath, base.PATH].join(path.delimiter),
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: ws,
      GITHUB_EVENT_NAME: event.name,
      GITHUB_REF: event.ref,
      RUNNER_TEMP: temp,
      ...files,
      ...jobEnv,
      ...extraEnv,
      ...Object.fromEntries(Object.entries((step.env ?? {}) as Record<string, string>).map(([k, v]) => [k, ev(v)])),
    };
    // `shell: bash` on a hosted runner: bash --noprofile --norc -eo pipefail {0}
    const res = await runProcess('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], { cwd: ws, env });
    const summary = fs.readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8');
    steps.push({ name: step.name ?? `step ${i}`, id: step.id, ...res, outputs: readKeyValues(files.GITHUB_OUTPUT), summary });
    for (const p of fs.readFileSync(files.GITHUB_PATH, 'utf8').split('\n').filter(Boolean)) githubPath.unshift(p);
    Object.assign(extraEnv, readKeyValues(files.GITHUB_ENV));
    if (res.code !== 0) failed = true; // later steps run only with if: always()
  }
  return { steps, summary: steps.map((s) => s.summary).join(''), ws, restored };
}

function ghMatrix(job: Yaml): Array<Record<string, string>> {
  return job.strategy.matrix.include as Array<Record<string, string>>;
}

/** The secret store for one customer: the Halo's under its own names, the tenant's under the customer's prefix. */
function ghSecrets(c: Customer, prefix: string): Record<string, string> {
  return Object.fromEntries(Object.entries(c.env).flatMap(([k, v]) => (k.startsWith('HALO_') ? [[k, v]] : [[`${prefix}_${k}`, v]])));
}

const step = (job: JobRun, name: string) => {
  const s = job.steps.find((x) => x.name === name);
  assert.ok(s, `step "${name}" ran (ran: ${job.steps.map((x) => `${x.name}=${x.code}`).join(', ')})`);
  return s;
};

describe('pipelines: the GitHub Actions workflow', () => {
  const wf = parse(fs.readFileSync(GITHUB, 'utf8')) as Yaml;

  it('passes action-validator, and a broken copy does not', async () => {
    const ok = await runProcess(process.execPath, [VALIDATOR, GITHUB]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halo-identity-workflow-'));
    try {
      const text = fs.readFileSync(GITHUB, 'utf8');
      const broken = [
        // A job with `step:` for `steps:`.
        text.replace(/^(    )steps:$/m, '$1step:'),
        // A step that both runs a script and uses an action.
        text.replace('      - uses: actions/checkout@v4\n', '      - uses: actions/checkout@v4\n        run: echo both\n'),
      ];
      for (const [i, t] of broken.entries()) {
        assert.notEqual(t, text, `broken copy ${i} differs`);
        const file = path.join(dir, `broken-${i}.yml`);
        fs.writeFileSync(file, t);
        const res = await runProcess(process.execPath, [VALIDATOR, file]);
        assert.equal(res.code, 1, `broken copy ${i} is refused: ${res.stdout}${res.stderr}`);
        assert.match(res.stderr, /"errors"/);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('plans on pull requests, applies on main behind the production environment, pins actions by major version', () => {
    assert.ok(wf.on.pull_request && wf.on.push.branches.includes('main'));
    assert.deepEqual(wf.permissions, { contents: 'read' });
    const { plan, apply } = wf.jobs;
    assert.equal(apply.needs, 'plan');
    assert.equal(apply.environment, 'production');
    assert.match(apply.if, /github\.ref == 'refs\/heads\/main'/);
    assert.match(apply.if, /github\.event_name != 'pull_request'/);
    assert.equal(plan.environment, undefined, 'a plan needs no approval');
    assert.equal(apply.concurrency['cancel-in-progress'], false, 'an apply is never cancelled mid-write');
    assert.deepEqual(ghMatrix(apply), ghMatrix(plan), 'the same customers are planned and applied');
    assert.ok(ghMatrix(plan).length >= 2, 'a matrix over several mappings');
    const allowed = new Set(['actions/checkout@v4', 'actions/setup-node@v4', 'actions/cache/restore@v4', 'actions/cache/save@v4', 'actions/upload-artifact@v4', 'actions/github-script@v7']);
    for (const j of Object.values(wf.jobs) as Yaml[]) {
      for (const s of j.steps as Yaml[]) if (s.uses) assert.ok(allowed.has(s.uses), `${s.uses} is one of the actions pinned by major version`);
    }
    // Secrets are given only to the steps that run halo-identity, never to the whole job (npm ci runs install scripts).
    for (const j of Object.values(wf.jobs) as Yaml[]) {
      assert.doesNotMatch(JSON.stringify(j.env ?? {}), /secrets/);
      for (const s of j.steps as Yaml[]) if (JSON.stringify(s.env ?? {}).includes('secrets')) assert.match(String(s.run), /halo-identity (plan|apply)/);
    }
  });

  describe('its run: steps against the simulators', () => {
    let world: World;
    before(async () => {
      world = new World();
      for (const [i, m] of ghMatrix(wf.jobs.plan).entries()) await world.addCustomer(m.customer, 21 + i);
    });
    after(() => world.close());

    it('for each customer: a PR plan (changes, exit 2 handled), plan and apply on main, the next PR plan (no changes)', { timeout: 180_000 }, async () => {
      const outputs: string[] = [];
      for (const [i, m] of ghMatrix(wf.jobs.plan).entries()) {
        const c = world.customers.get(m.customer)!;
        const ctx: GhContext = { matrix: m, secrets: ghSecrets(c, m.secrets), inputs: {} };
        const pr = (run: number): GhEvent => ({ name: 'pull_request', ref: `refs/pull/${7 + i}/merge`, run });
        const main: GhEvent = { name: 'push', ref: 'refs/heads/main', run: 100 + i };
        const saved = () => world.cache.filter((e) => e.key.startsWith(`halo-identity-${m.customer}-`)).length;

        const first = await runGhJob(world, wf.jobs.plan, ctx, pr(1));
        const planned = step(first, 'Plan');
        assert.equal(planned.code, 0, `exit 2 (changes) is not a failure: ${planned.stdout}${planned.stderr}`);
        assert.deepEqual(planned.outputs, { changes: 'true' });
        assert.match(planned.stdout, /^::notice title=halo-identity .*::the plan has changes to review$/m);
        assert.equal(step(first, 'Plan as the job summary').code, 0);
        assert.match(first.summary, HEADING, 'the Markdown plan is the job summary');
        assert.ok(first.summary.includes(`**Customer: ${m.customer}**`));
        const plan = JSON.parse(fs.readFileSync(path.join(first.ws, 'plan.json'), 'utf8'));
        assert.ok(plan.summary.create > 0, 'plan.json parses and has the creates');
        assert.equal(saved(), 0, "a PR's plan leaves main's state alone");
        assert.equal(haloWrites(c), 0, 'a plan writes nothing');

        const mainPlan = await runGhJob(world, wf.jobs.plan, ctx, main);
        assert.equal(step(mainPlan, 'Plan').code, 0);
        assert.equal(saved(), 1, 'the plan on main saves the state folder');
        const applied = await runGhJob(world, wf.jobs.apply, ctx, main);
        assert.ok(applied.restored, "the apply job starts from the state its run's plan job saved");
        const a = step(applied, 'Apply');
        assert.equal(a.code, 0, a.stdout + a.stderr);
        assert.match(a.stdout, /^Apply: [1-9]\d* applied, 0 failed, 0 stale\.$/m);
        assert.doesNotMatch(a.stderr, /Refusing/);
        assert.ok(haloWrites(c) > 0);
        assert.ok(fs.readdirSync(path.join(applied.ws, 'customers', m.customer, '.halo-identity', 'journals')).some((f) => f.endsWith('.jsonl')), 'the journal is where the upload step looks');
        assert.equal(saved(), 2, 'and so does the apply');

        const next = await runGhJob(world, wf.jobs.plan, ctx, pr(2));
        assert.ok(next.restored, "the next PR's plan starts from main's state");
        const again = step(next, 'Plan');
        assert.equal(again.code, 0, again.stderr);
        assert.deepEqual(again.outputs, { changes: 'false' });
        assert.doesNotMatch(again.stdout, /::notice/);
        assert.match(next.summary, /No changes\. Halo matches the mapping\./);
        outputs.push(...[first, mainPlan, applied, next].flatMap((j) => j.steps.map((s) => s.stdout + s.stderr + s.summary)));
      }
      const everything = outputs.join('\n');
      for (const s of world.secrets()) assert.ok(!everything.includes(s), 'no secret in any step output or summary');
    });

    it('fails the plan step when the plan fails (exit 1), without writing a summary', async () => {
      const m = ghMatrix(wf.jobs.plan)[0];
      const c = world.customers.get(m.customer)!;
      const secrets = ghSecrets(c, m.secrets);
      const ctx: GhContext = { matrix: m, secrets: { ...secrets, HALO_CLIENT_SECRET: 'not-the-secret-4711' }, inputs: {} };
      const res = await runGhJob(world, wf.jobs.plan, ctx, { name: 'pull_request', ref: 'refs/pull/99/merge', run: 1 });
      const planned = step(res, 'Plan');
      assert.equal(planned.code, 1);
      assert.match(planned.stdout, /^::error title=halo-identity .*::plan failed \(exit 1\); nothing was written$/m);
      assert.doesNotMatch(planned.stdout + planned.stderr, /not-the-secret-4711/);
      assert.equal(res.steps.at(-1), planned, 'no step after it runs');
      assert.equal(res.summary, '');
    });
  });

  it("comments the plan on the PR once, then updates that comment, cut to fit (github-script's script against a fake GitHub)", async () => {
    const s = (wf.jobs.plan.steps as Yaml[]).find((x) => String(x.uses).startsWith('actions/github-script@'))!;
    assert.equal(s.if, "github.event_name == 'pull_request'");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halo-identity-comment-'));
    const comments: Array<{ id: number; body: string; user: { type: string } }> = [{ id: 1, body: 'LGTM', user: { type: 'User' } }];
    const calls: string[] = [];
    const github = {
      paginate: async (fn: (p: object) => Promise<{ data: unknown[] }>, params: object) => (await fn(params)).data,
      rest: {
        issues: {
          listComments: async () => ({ data: comments.map((c) => ({ ...c })) }),
          createComment: async (p: { issue_number: number; body: string }) => {
            calls.push(`create #${p.issue_number}`);
            comments.push({ id: comments.length + 1, body: p.body, user: { type: 'Bot' } });
          },
          updateComment: async (p: { comment_id: number; body: string }) => {
            calls.push(`update ${p.comment_id}`);
            comments.find((c) => c.id === p.comment_id)!.body = p.body;
          },
        },
      },
    };
    const context = { repo: { owner: 'msp', repo: 'identities' }, issue: { number: 7 } };
    const fakeRequire = (m: string) => (m === 'fs' ? { readFileSync: (p: string, enc: BufferEncoding) => fs.readFileSync(path.resolve(dir, p), enc) } : require(m));
    const fakeProcess = { env: { CUSTOMER: 'contoso', MAPPING: 'customers/contoso/halo-identity.yaml' } };
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor;
    const script = new AsyncFunction('require', 'github', 'context', 'core', 'process', s.with.script);
    try {
      fs.writeFileSync(path.join(dir, 'plan.md'), '# Halo Identity plan\n\nNo changes. Halo matches the mapping.\n');
      await script(fakeRequire, github, context, {}, fakeProcess);
      fs.writeFileSync(path.join(dir, 'plan.md'), `# Halo Identity plan\n\n${'- `+` **someone**\n'.repeat(5000)}`);
      await script(fakeRequire, github, context, {}, fakeProcess);
      assert.deepEqual(calls, ['create #7', 'update 2']);
      assert.equal(comments.length, 2);
      assert.ok(comments[1].body.startsWith('<!-- halo-identity-plan:contoso -->\n**Customer: contoso**'));
      assert.ok(comments[1].body.length < 65536, `a comment holds 65,536 characters: ${comments[1].body.length}`);
      assert.match(comments[1].body, /Cut at 60000 characters: the whole plan is in the artifact plan-contoso\./);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Azure Pipelines: the template expansion, variables and logging commands the recipe uses.

/** `${{ each customer in parameters.customers }}` over a list, and `${{ customer }}` / `${{ parameters.x }}` in strings. */
function azExpand(node: unknown, params: Record<string, unknown>, vars: Record<string, string> = {}): unknown {
  if (typeof node === 'string') {
    return node.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expr: string) => {
      if (expr in vars) return vars[expr];
      const m = /^parameters\.(\w+)$/.exec(expr);
      if (m && m[1] in params) {
        const v = params[m[1]];
        return typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v);
      }
      throw new Error(`the pipeline test does not expand \${{ ${expr} }}`);
    });
  }
  if (Array.isArray(node)) {
    return node.flatMap((item) => {
      if (item && typeof item === 'object' && !Array.isArray(item)) {
        const keys = Object.keys(item);
        const each = keys.length === 1 ? /^\$\{\{\s*each (\w+) in parameters\.(\w+)\s*\}\}$/.exec(keys[0]) : null;
        if (each) return (params[each[2]] as string[]).flatMap((v) => azExpand((item as Yaml)[keys[0]], params, { ...vars, [each[1]]: v }) as unknown[]);
      }
      return [azExpand(item, params, vars)];
    });
  }
  if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [azExpand(k, params, vars) as string, azExpand(v, params, vars)]));
  return node;
}

function azParams(doc: Yaml): Record<string, unknown> {
  return Object.fromEntries((doc.parameters as Yaml[]).map((p) => [p.name, p.default]));
}

interface AzJob {
  stage: Yaml;
  job: Yaml;
  steps: Yaml[];
  variables: Yaml[];
}

function azJobs(pipeline: Yaml): AzJob[] {
  return (pipeline.stages as Yaml[]).flatMap((stage) =>
    (stage.jobs as Yaml[]).map((job) => ({ stage, job, steps: (job.steps ?? job.strategy?.runOnce?.deploy?.steps) as Yaml[], variables: [...(pipeline.variables ?? []), ...(job.variables ?? [])] as Yaml[] })),
  );
}

interface AzEvent {
  /** Build.Reason */
  reason: 'PullRequest' | 'IndividualCI' | 'Schedule' | 'Manual';
  /** Build.SourceBranch */
  ref: string;
  /** Build.BuildId: the stages of one run share it. */
  build: number;
}

interface AzJobRun {
  steps: StepRun[];
  summaries: string[];
  ws: string;
  restored: boolean;
}

/** A Cache@2 key as the task makes it: "quoted" strings as they are, a file path by its contents' hash, $(Build.BuildId). */
function azCacheKey(key: string, ws: string, event: AzEvent): string {
  return key
    .split('|')
    .map((part) => {
      const s = part.trim().replace(/\$\(Build\.BuildId\)/g, String(event.build));
      if (/^".*"$/.test(s)) return s.slice(1, -1);
      if (s.includes('/')) {
        const file = path.join(ws, s);
        assert.ok(fs.existsSync(file), `the cache key hashes a file of the checkout: ${file}`);
        return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
      }
      return s;
    })
    .join('|');
}

async function runAzJob(world: World, j: AzJob, groups: Record<string, Record<string, string>>, event: AzEvent): Promise<AzJobRun> {
  const ws = world.checkout();
  const temp = fs.mkdtempSync(path.join(world.dir, 'agent-temp-'));
  const home = path.join(temp, 'home');
  fs.mkdirSync(home);
  // Variables: the groups' (secret: reachable only through $(NAME) macros) and the job's own (also in the environment, NAME uppercased).
  const macros: Record<string, string> = {};
  const plain: Record<string, string> = {};
  for (const v of j.variables) {
    if (v.group) {
      assert.ok(groups[v.group], `variable group ${v.group} is one the header names`);
      Object.assign(macros, groups[v.group]);
    } else {
      macros[v.name] = String(v.value);
      plain[String(v.name).toUpperCase().replace(/\./g, '_')] = String(v.value);
    }
  }
  const macro = (s: string) =>
    s.replace(/\$\(([\w.]+)\)/g, (_, name: string) => {
      if (!(name in macros)) throw new Error(`$(${name}) is no variable of this job`);
      return macros[name];
    });
  const prepend: string[] = [];
  const summaries: string[] = [];
  const steps: StepRun[] = [];
  const postJob: Array<() => void> = [];
  let restored = false;
  let failed = false;
  for (const [i, step] of j.steps.entries()) {
    if (step.condition === 'always()') {
      // runs whatever happened before
    } else if (step.condition !== undefined) throw new Error(`the pipeline test does not evaluate condition: ${step.condition}`);
    else if (failed) continue;
    if (step.task === 'Cache@2') {
      const p = step.inputs.path;
      assert.equal(p, path.join(path.dirname(plain.MAPPING), '.halo-identity'), 'the cached path is the state folder beside the mapping');
      const key = azCacheKey(step.inputs.key, ws, event);
      const restoreKeys = String(step.inputs.restoreKeys).split('\n').filter((k) => k.trim()).map((k) => azCacheKey(k, ws, event));
      restored = world.restore(ws, p, key, restoreKeys, event.ref);
      // The task's post-job step saves, when the job succeeded and the key was no exact hit.
      postJob.push(() => {
        if (!failed) world.save(ws, p, key, event.ref);
      });
      continue;
    }
    if (step.task === 'PublishPipelineArtifact@1') {
      assert.ok(fs.existsSync(path.join(ws, step.inputs.targetPath)), `${step.displayName}: ${step.inputs.targetPath} exists to publish`);
      continue;
    }
    if (!step.bash) continue; // checkout, download, NodeTool: the platform's
    assert.doesNotMatch(step.bash, /\$\(|\$\{\{/, `${step.displayName}: values reach the script through env:, not macros`);
    const file = path.join(temp, `step-${i}.sh`);
    fs.writeFileSync(file, step.bash);
    const base = world.baseEnv(home);
    const env = {
      ...base,
      PATH: [...prepend, base.PATH].join(path.delimiter),
      TF_BUILD: 'True',
      AGENT_TEMPDIRECTORY: temp,
      BUILD_SOURCESDIRECTORY: ws,
      BUILD_REASON: event.reason,
      BUILD_SOURCEBRANCH: event.ref,
      SYSTEM_DEFAULTWORKINGDIRECTORY: ws,
      ...plain,
      ...Object.fromEntries(Object.entries((step.env ?? {}) as Record<string, string>).map(([k, v]) => [k, macro(String(v))])),
    };
    // The Bash task: bash --noprofile --norc <file>, from the sources directory; -e and pipefail are the script's own.
    const res = await runProcess('bash', ['--noprofile', '--norc', file], { cwd: ws, env });
    const outputs: Record<string, string> = {};
    for (const line of res.stdout.split('\n')) {
      let m: RegExpExecArray | null;
      if ((m = /^##vso\[task\.prependpath\](.+)$/.exec(line))) prepend.unshift(m[1]);
      else if ((m = /^##vso\[task\.uploadsummary\](.+)$/.exec(line))) {
        assert.ok(path.isAbsolute(m[1]), 'uploadsummary takes an absolute path');
        summaries.push(fs.readFileSync(m[1], 'utf8'));
      } else if ((m = /^##vso\[task\.setvariable variable=(\w+);isOutput=true\](.*)$/.exec(line))) outputs[m[1]] = m[2];
    }
    steps.push({ name: step.displayName, id: step.name, ...res, outputs, summary: '' });
    if (res.code !== 0) failed = true;
  }
  for (const f of postJob) f();
  return { steps, summaries, ws, restored };
}

/** The variable groups the header names, holding this customer's simulators' credentials. */
function azGroups(name: string, c: Customer): Record<string, Record<string, string>> {
  return {
    'halo-identity-halo': { HALO_CLIENT_ID: c.env.HALO_CLIENT_ID, HALO_CLIENT_SECRET: c.env.HALO_CLIENT_SECRET },
    [`halo-identity-${name}`]: { ENTRA_CLIENT_ID: c.env.ENTRA_CLIENT_ID, ENTRA_CLIENT_SECRET: c.env.ENTRA_CLIENT_SECRET },
  };
}

/**
 * The apply stage's condition for one run: and(succeeded(), branch, reason, the plan's output).
 * Its terms are checked to be exactly these by the structure test; here they are evaluated.
 */
function azApplyRuns(j: AzJob, event: AzEvent, changes: string): boolean {
  const cond = String(j.stage.condition);
  const terms = /^and\(succeeded\(\), eq\(variables\['Build\.SourceBranch'\], '([^']+)'\), ne\(variables\['Build\.Reason'\], '(\w+)'\), eq\(dependencies\.\w+\.outputs\['[\w.]+'\], '(\w+)'\)\)$/.exec(cond);
  assert.ok(terms, `the condition has the terms this test evaluates: ${cond}`);
  return event.ref === terms[1] && event.reason !== terms[2] && changes === terms[3];
}

describe('pipelines: the Azure Pipelines YAML', () => {
  const doc = parse(fs.readFileSync(AZURE, 'utf8')) as Yaml;
  const params = azParams(doc);
  const pipeline = azExpand(doc, params) as Yaml;
  const customers = params.customers as string[];

  // No official validator runs offline: the structure is checked here instead.
  it('has a plan and an approved apply stage per customer, with known tasks only', () => {
    assert.deepEqual(Object.keys(doc).filter((k) => !['trigger', 'pr', 'schedules', 'parameters', 'pool', 'variables', 'stages'].includes(k)), []);
    assert.ok(doc.trigger.branches.include.includes('main') && doc.pr.branches.include.includes('main'));
    assert.ok(customers.length >= 2, 'several mappings');
    const names = (pipeline.stages as Yaml[]).map((s) => s.stage);
    assert.deepEqual(names, customers.flatMap((c) => [`plan_${c}`, `apply_${c}`]));
    for (const s of pipeline.stages as Yaml[]) {
      assert.match(s.stage, /^[A-Za-z0-9_]+$/);
      for (const d of [s.dependsOn].flat().filter(Boolean)) assert.ok(names.includes(d), `${s.stage} depends on a stage that exists`);
    }
    const tasks = new Set<string>();
    for (const j of azJobs(pipeline)) {
      assert.ok(j.steps.length, `${j.stage.stage} has steps`);
      for (const st of j.steps) {
        const kinds = ['checkout', 'task', 'bash', 'download'].filter((k) => k in st);
        assert.equal(kinds.length, 1, `one kind of step: ${JSON.stringify(st)}`);
        if (st.task) tasks.add(st.task);
        if (st.bash && /halo-identity (plan|apply)/.test(st.bash)) {
          for (const name of ['HALO_CLIENT_ID', 'HALO_CLIENT_SECRET', 'ENTRA_CLIENT_ID', 'ENTRA_CLIENT_SECRET']) assert.equal(st.env?.[name], `$(${name})`, `${st.displayName} maps the secret ${name}`);
        }
      }
      assert.ok(j.variables.some((v) => v.group === 'halo-identity-halo') && j.variables.some((v) => v.group === `halo-identity-${j.job.variables.find((v: Yaml) => v.name === 'CUSTOMER').value}`), 'the variable groups of the Halo and of the customer');
    }
    assert.deepEqual([...tasks].sort(), ['Cache@2', 'NodeTool@0', 'PublishPipelineArtifact@1']);
    for (const c of customers) {
      const plan = (pipeline.stages as Yaml[]).find((s) => s.stage === `plan_${c}`)!;
      const apply = (pipeline.stages as Yaml[]).find((s) => s.stage === `apply_${c}`)!;
      assert.equal(plan.jobs[0].environment, undefined, 'a plan needs no approval');
      const deployment = apply.jobs[0];
      assert.equal(deployment.deployment, 'apply');
      assert.equal(deployment.environment, 'production', 'the apply is a deployment job bound to the approved environment');
      assert.ok(deployment.strategy.runOnce.deploy.steps.some((st: Yaml) => st.checkout === 'self'), 'a deployment job checks out explicitly');
      assert.equal(apply.dependsOn, `plan_${c}`);
      // The condition reads the output the plan step really sets: <job>.<step>.changes.
      const setter = (plan.jobs[0].steps as Yaml[]).find((st) => String(st.bash).includes('variable=changes;isOutput=true'))!;
      assert.ok(apply.condition.includes(`eq(dependencies.plan_${c}.outputs['${plan.jobs[0].job}.${setter.name}.changes'], 'true')`), apply.condition);
      assert.match(apply.condition, /eq\(variables\['Build\.SourceBranch'\], 'refs\/heads\/main'\)/);
      assert.match(apply.condition, /ne\(variables\['Build\.Reason'\], 'PullRequest'\)/);
    }
  });

  describe('its bash steps against the simulators', () => {
    let world: World;
    before(async () => {
      world = new World();
      for (const [i, c] of customers.entries()) await world.addCustomer(c, 31 + i);
    });
    after(() => world.close());

    it('for each customer: a PR plan (changes), plan and apply on main, the next run on main plans no changes and skips the apply', { timeout: 180_000 }, async () => {
      const jobs = azJobs(pipeline);
      const outputs: string[] = [];
      for (const [i, name] of customers.entries()) {
        const c = world.customers.get(name)!;
        const groups = azGroups(name, c);
        const planJob = jobs.find((j) => j.stage.stage === `plan_${name}`)!;
        const applyJob = jobs.find((j) => j.stage.stage === `apply_${name}`)!;
        const changesOf = (r: AzJobRun) => {
          const s = r.steps.find((x) => x.id === 'plan')!;
          assert.equal(s.code, 0, s.stdout + s.stderr);
          return s.outputs.changes;
        };
        const pr: AzEvent = { reason: 'PullRequest', ref: `refs/pull/${7 + i}/merge`, build: 10 + i };
        const main = (build: number): AzEvent => ({ reason: 'IndividualCI', ref: 'refs/heads/main', build });

        const first = await runAzJob(world, planJob, groups, pr);
        assert.equal(changesOf(first), 'true', 'exit 2 becomes changes=true and the step succeeds');
        assert.equal(first.summaries.length, 1);
        assert.match(first.summaries[0], HEADING, 'the Markdown plan is the run summary');
        assert.ok(first.summaries[0].includes(`**Customer: ${name}**`));
        assert.ok(JSON.parse(fs.readFileSync(path.join(first.ws, 'plan', 'plan.json'), 'utf8')).summary.create > 0);
        assert.equal(haloWrites(c), 0);
        assert.equal(azApplyRuns(applyJob, pr, 'true'), false, 'no apply for a pull request');

        const mainPlan = await runAzJob(world, planJob, groups, main(20 + i));
        assert.equal(mainPlan.restored, false, "a PR's cache is not main's");
        const changes = changesOf(mainPlan);
        assert.equal(azApplyRuns(applyJob, main(20 + i), changes), true);
        const applied = await runAzJob(world, applyJob, groups, main(20 + i));
        assert.ok(applied.restored, "the apply job starts from the state its run's plan job cached");
        const a = applied.steps.find((x) => x.id === 'apply')!;
        assert.equal(a.code, 0, a.stdout + a.stderr);
        assert.match(a.stdout, /^Apply: [1-9]\d* applied, 0 failed, 0 stale\.$/m);
        assert.ok(haloWrites(c) > 0);

        const next = await runAzJob(world, planJob, groups, main(30 + i));
        assert.ok(next.restored);
        assert.equal(changesOf(next), 'false');
        assert.equal(azApplyRuns(applyJob, main(30 + i), 'false'), false, 'no changes: the apply stage is skipped, and no approval is asked for');
        assert.match(next.summaries[0], /No changes\. Halo matches the mapping\./);
        outputs.push(...[first, mainPlan, applied, next].flatMap((r) => [...r.steps.map((s) => s.stdout + s.stderr), ...r.summaries]));
      }
      const everything = outputs.join('\n');
      for (const s of world.secrets()) assert.ok(!everything.includes(s), 'no secret in any step output or summary');
    });

    it('--allow-over-threshold only when the run asks for it', async () => {
      const name = customers[0];
      const c = world.customers.get(name)!;
      const groups = azGroups(name, c);
      for (const [allow, expected] of [[false, /^halo-identity apply \S+ --yes$/m], [true, /^halo-identity apply \S+ --yes --allow-over-threshold$/m]] as const) {
        // halo-identity in this job only echoes what it was asked, so this test changes nothing in Halo.
        const expanded = azExpand(doc, { ...params, allowOverThreshold: allow }) as Yaml;
        const j = azJobs(expanded).find((x) => x.stage.stage === `apply_${name}`)!;
        const steps = j.steps
          .filter((st) => st.task !== 'PublishPipelineArtifact@1')
          .map((st) => (st.bash && st.bash.includes('npm ci') ? { ...st, bash: `${st.bash}\nprintf '#!/bin/sh\\necho halo-identity "$@"\\n' > node_modules/.bin/halo-identity\n` } : st));
        const res = await runAzJob(world, { ...j, steps }, groups, { reason: 'Manual', ref: 'refs/heads/main', build: 40 + Number(allow) });
        const a = res.steps.find((x) => x.id === 'apply')!;
        assert.equal(a.code, 0, a.stderr);
        assert.match(a.stdout, expected);
      }
    });
  });
});
