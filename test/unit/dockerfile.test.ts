// The Dockerfile cannot be built here (no Docker), so what matters about it is read from its text
// and checked against the repository: the stages and what they copy, the non-root user, the /data
// volume, the port, the health check (run for real against a local server), the exec-form
// entrypoint that lets node get SIGTERM, and that no secret is baked in.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parseListen, runScim } from '../../src/cli/scim';

const ROOT = path.resolve(__dirname, '../../..');
const read = (f: string) => fs.readFileSync(path.join(ROOT, f), 'utf8');

interface Instruction {
  op: string;
  args: string;
  line: number;
}

interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/** Instructions in order: continuation lines joined, comments and blank lines dropped (as Docker reads them). */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let current: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (/^\s*#/.test(line) || (!current && !line.trim())) return;
    const continues = /\\\s*$/.test(line);
    const part = continues ? line.replace(/\\\s*$/, '') : line;
    current = current ? { text: `${current.text} ${part.trim()}`, line: current.line } : { text: part.trim(), line: i + 1 };
    if (!continues) {
      const m = /^(\S+)\s*(.*)$/s.exec(current.text) as RegExpExecArray;
      out.push({ op: m[1].toUpperCase(), args: m[2].trim(), line: current.line });
      current = undefined;
    }
  });
  assert.equal(current, undefined, 'the Dockerfile ends inside a continued line');
  return out;
}

const instructions = parseDockerfile(read('Dockerfile'));
const globalArgs = new Map<string, string>();
const stages: Stage[] = [];
for (const ins of instructions) {
  if (ins.op === 'FROM') {
    const [image, as, name] = ins.args.split(/\s+/);
    const from = image.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => {
      const v = globalArgs.get((a ?? b) as string);
      assert.ok(v !== undefined, `FROM uses ${a ?? b}, which no ARG before the first FROM gives a default`);
      return v;
    });
    stages.push({ from, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
  } else if (!stages.length) {
    assert.equal(ins.op, 'ARG', `line ${ins.line}: only ARG may come before the first FROM`);
    const [k, v] = ins.args.split('=');
    globalArgs.set(k, v ?? '');
  } else {
    stages[stages.length - 1].instructions.push(ins);
  }
}
const build = stages[0];
const final = stages[stages.length - 1];
const all = (stage: Stage, op: string) => stage.instructions.filter((i) => i.op === op);
const one = (stage: Stage, op: string) => {
  const found = all(stage, op);
  assert.equal(found.length, 1, `the ${stage === final ? 'final' : 'build'} stage has ${found.length} ${op} instructions, not one`);
  return found[0];
};

/** The exec form (a JSON array of strings); Docker silently falls back to a shell when it is not valid JSON. */
function execForm(args: string, what: string): string[] {
  let argv: unknown;
  try {
    argv = JSON.parse(args);
  } catch (e) {
    assert.fail(`${what} is not valid JSON, so Docker would run it through a shell: ${(e as Error).message}`);
  }
  assert.ok(Array.isArray(argv) && argv.every((a) => typeof a === 'string') && argv.length > 0, `${what} is not a JSON array of strings`);
  return argv as string[];
}

/** ENV KEY=VALUE pairs (values may be double-quoted). */
function envOf(stage: Stage): Map<string, string> {
  const env = new Map<string, string>();
  for (const ins of all(stage, 'ENV')) {
    for (const m of ins.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) env.set(m[1], m[2].replace(/^"(.*)"$/s, '$1'));
  }
  return env;
}

/** COPY sources and destination, with its --from stage if any. */
function copies(stage: Stage): Array<{ from?: string; sources: string[]; dest: string; line: number }> {
  return all(stage, 'COPY').map((ins) => {
    const words = ins.args.split(/\s+/);
    const flags = words.filter((w) => w.startsWith('--'));
    const paths = words.filter((w) => !w.startsWith('--'));
    const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
    return { from, sources: paths.slice(0, -1), dest: paths[paths.length - 1], line: ins.line };
  });
}

/** .dockerignore as Docker reads it: in order, the last pattern that matches the path or a folder above it wins. */
function dockerignore(): (p: string) => boolean {
  const patterns = read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negated = l.startsWith('!');
      const glob = (negated ? l.slice(1) : l).replace(/^\/+|\/+$/g, '');
      const source = glob
        .split(/(\*\*\/?|\*|\?)/)
        .map((t) => (t === '**' || t === '**/' ? '(?:.*/)?' : t === '*' ? '[^/]*' : t === '?' ? '[^/]' : t.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
        .join('');
      return { negated, re: new RegExp(`^${source}$`) };
    });
  return (p: string) => {
    const parts = p.split('/');
    const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const { negated, re } of patterns) if (candidates.some((c) => re.test(c))) excluded = !negated;
    return excluded;
  };
}

function filesUnder(rel: string): string[] {
  const abs = path.join(ROOT, rel);
  if (!fs.statSync(abs).isDirectory()) return [rel];
  return fs.readdirSync(abs).flatMap((n) => filesUnder(path.posix.join(rel, n)));
}

describe('Dockerfile', () => {
  it('builds on a Debian Node image with the toolchain and runs on a slim one of the same Node and Debian', () => {
    assert.equal(stages.length, 2, 'a build stage and a runtime stage');
    const image = (s: Stage) => /^node:(\d+)-([a-z]+)(-slim)?$/.exec(s.from);
    const b = image(build);
    const r = image(final);
    assert.ok(b && !b[3], `the build stage uses a full Debian-based node image (with python3, make, g++), not ${build.from}`);
    assert.ok(r && r[3], `the runtime stage uses a slim node image, not ${final.from}`);
    assert.equal(b[1], '20', 'Node 20, as package.json engines');
    assert.equal(r[1], b[1], 'the same Node major in both stages: better-sqlite3 is compiled for its ABI');
    assert.equal(r[2], b[2], 'the same Debian release in both stages: better-sqlite3 links against its glibc');
    assert.ok(build.name, 'the build stage is named, for COPY --from');
  });

  it('installs with npm ci, builds, then keeps only the runtime dependencies, and checks the native module loads', () => {
    const runs = all(build, 'RUN').map((r) => r.args).join(' && ');
    const at = (re: RegExp) => {
      const m = re.exec(runs);
      assert.ok(m, `the build stage runs ${re}`);
      return m.index;
    };
    const ci = at(/\bnpm ci\b(?! --omit=dev)/);
    const buildAt = at(/\bnpm run build\b/);
    const prune = Math.max(runs.search(/\bnpm prune --omit=dev\b/), runs.search(/\bnpm ci --omit=dev\b/));
    assert.ok(prune > buildAt && buildAt > ci, 'npm ci, then npm run build, then npm prune --omit=dev (or npm ci --omit=dev)');
    assert.ok(runs.indexOf("require('better-sqlite3')", prune) > prune, 'better-sqlite3 is loaded once after the prune, so a failed native build fails the image build');
    assert.match(read('esbuild.mjs'), /external:\s*\['better-sqlite3'\]/, 'the CLI bundle leaves better-sqlite3 to node_modules');
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string>; scripts: Record<string, string> };
    assert.ok(pkg.dependencies['better-sqlite3'], 'better-sqlite3 is a runtime dependency, so the prune keeps it');
    assert.equal(pkg.scripts.build, 'node esbuild.mjs');
  });

  it('copies from the build context only what the repository has and .dockerignore lets through', () => {
    const ignored = dockerignore();
    const context = copies(build).filter((c) => !c.from);
    assert.ok(context.length > 0);
    for (const c of context) {
      for (const s of c.sources) {
        assert.ok(fs.existsSync(path.join(ROOT, s)), `line ${c.line}: COPY ${s}, which the repository does not have`);
        for (const f of filesUnder(s)) assert.ok(!ignored(f), `line ${c.line}: ${f} is copied but .dockerignore leaves it out`);
      }
    }
    for (const c of [...copies(final), ...copies(build)]) assert.ok(!c.sources.some((s) => /\.ya?ml$|\.env|\.pem$|\.key$|\.halo-identity/.test(s)), `line ${c.line}: no mapping, state folder or key file is baked in`);
    // What must never enter the build context from a developer's folder.
    for (const p of ['node_modules/better-sqlite3/build/Release/better_sqlite3.node', 'dist/cli.js', 'out/test/unit/docs.test.js', '.git/config', '.halo-identity/scim/store.db', 'halo-identity.yaml', 'examples/halo-identity.yaml', 'test-artifacts/reliability.json', 'halo-identity-0.1.0.vsix', '.env', 'src/sim/.env', 'src/key.pem', 'webview/node_modules/x.js', 'src/.halo-identity/journals/a.jsonl']) {
      assert.ok(ignored(p), `.dockerignore lets ${p} into the build context`);
    }
  });

  it('has every file the bundles import in the build context', () => {
    const context = copies(build)
      .filter((c) => !c.from)
      .flatMap((c) => c.sources);
    const inside = (abs: string) => context.some((s) => abs === path.join(ROOT, s) || abs.startsWith(path.join(ROOT, s) + path.sep));
    for (const dir of ['src', 'webview']) {
      for (const f of filesUnder(dir).filter((f) => /\.(ts|mts|css)$/.test(f))) {
        const text = read(f);
        for (const m of text.matchAll(/(?:from\s+|import\s+|require\()\s*'(\.{1,2}\/[^']+)'/g)) {
          const target = path.resolve(ROOT, path.dirname(f), m[1]);
          assert.ok(inside(target), `${f} imports ${m[1]}, which the build stage does not copy`);
        }
      }
    }
  });

  it('takes into the runtime stage only what the build stage made or copied', () => {
    const workdir = one(build, 'WORKDIR').args;
    const copiedIn = copies(build)
      .filter((c) => !c.from)
      .flatMap((c) => (c.dest.endsWith('/') || c.dest === '.' ? c.sources.map((s) => path.posix.resolve(workdir, c.dest, path.posix.basename(s))) : [path.posix.resolve(workdir, c.dest)]));
    const esbuild = read('esbuild.mjs');
    const produced = [...esbuild.matchAll(/outfile:\s*'([^']+)'/g)].map((m) => path.posix.resolve(workdir, m[1]));
    assert.ok(produced.includes(path.posix.resolve(workdir, 'dist/cli.js')), 'esbuild.mjs writes dist/cli.js');
    const made = [...copiedIn, ...produced, path.posix.resolve(workdir, 'node_modules')];
    const fromBuild = copies(final).filter((c) => c.from);
    assert.ok(fromBuild.length > 0);
    for (const c of fromBuild) {
      assert.equal(c.from, build.name, `line ${c.line}: copies from the build stage`);
      for (const s of c.sources) assert.ok(made.includes(s), `line ${c.line}: ${s} is neither copied into nor made by the build stage`);
    }
    assert.ok(!all(final, 'RUN').some((r) => /\bnpm\b/.test(r.args)), 'the runtime stage installs nothing');
    // The entrypoint's script is one of the files copied, at the runtime WORKDIR.
    const runtimeDir = one(final, 'WORKDIR').args;
    const script = path.posix.resolve(runtimeDir, execForm(one(final, 'ENTRYPOINT').args, 'ENTRYPOINT')[1]);
    assert.ok(fromBuild.some((c) => path.posix.resolve(runtimeDir, c.dest) === script), `${script} is copied into the runtime stage`);
  });

  it('runs as a non-root user that owns /data', () => {
    const users = all(final, 'USER');
    assert.ok(users.length > 0, 'the final stage sets USER');
    const user = users[users.length - 1].args;
    const [name] = user.split(':');
    assert.ok(!['root', '0'].includes(name), `USER ${user} is root`);
    assert.match(name, /^\d+$/, 'a numeric uid, which runAsNonRoot checks can verify');
    const prep = all(final, 'RUN').find((r) => /\/data\b/.test(r.args));
    assert.ok(prep, 'a RUN creates /data');
    assert.match(prep.args, new RegExp(`chown ${name}(:\\d+)? /data`), '/data belongs to the user the bridge runs as');
  });

  it('keeps the store, the mapping and its state folder on the /data volume', () => {
    const volume = one(final, 'VOLUME');
    const dirs = volume.args.startsWith('[') ? execForm(volume.args, 'VOLUME') : volume.args.split(/\s+/);
    assert.deepEqual(dirs, ['/data']);
    const prep = all(final, 'RUN').find((r) => /\/data\b/.test(r.args)) as Instruction;
    assert.ok(prep.line < volume.line, 'changes to /data after VOLUME would be discarded');
    const env = envOf(final);
    assert.equal(path.posix.dirname(env.get('HALO_IDENTITY_SCIM_STORE') ?? ''), '/data');
    // The state folder (.halo-identity/: journals, limiter log, read counts) goes beside the mapping.
    assert.equal(path.posix.dirname(env.get('HALO_IDENTITY_MAPPING') ?? ''), '/data');
    const cli = read('src/cli/scim.ts');
    for (const name of ['HALO_IDENTITY_SCIM_STORE', 'HALO_IDENTITY_MAPPING', 'HALO_IDENTITY_SCIM_LISTEN', 'HALO_IDENTITY_SCIM_PUBLIC_URL', 'HALO_IDENTITY_SCIM_TLS_CERT']) assert.ok(cli.includes(`env.${name}`), `scim serve reads ${name}`);
  });

  it('listens on 0.0.0.0:8080, exposes 8080, and leaves the public URL to the deployment', async () => {
    const env = envOf(final);
    const listen = parseListen(env.get('HALO_IDENTITY_SCIM_LISTEN') ?? '');
    assert.deepEqual(listen, { host: '0.0.0.0', port: 8080 });
    assert.deepEqual(one(final, 'EXPOSE').args.split(/\s+/), ['8080']);
    assert.ok(!env.has('HALO_IDENTITY_SCIM_PUBLIC_URL'), 'the public URL is the deployment\'s, not the image\'s');
    // What scim serve enforces on such a listener: TLS here, or a public https:// URL in front.
    const saved = { ...process.env };
    const io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };
    try {
      for (const k of Object.keys(process.env)) if (k.startsWith('HALO_IDENTITY_')) delete process.env[k];
      process.env.HALO_IDENTITY_SCIM_LISTEN = env.get('HALO_IDENTITY_SCIM_LISTEN');
      await assert.rejects(runScim(['serve'], io), /without TLS/);
      process.env.HALO_IDENTITY_SCIM_PUBLIC_URL = 'http://scim.example.test';
      await assert.rejects(runScim(['serve'], io), /must start with https:\/\//);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  it('starts scim serve in exec form, so node is PID 1 and gets SIGTERM', () => {
    assert.deepEqual(execForm(one(final, 'ENTRYPOINT').args, 'ENTRYPOINT'), ['node', 'dist/cli.js', 'scim', 'serve']);
    assert.equal(all(final, 'CMD').length, 0, 'no CMD appended to the entrypoint: the mapping comes from HALO_IDENTITY_MAPPING');
    const stop = all(final, 'STOPSIGNAL');
    assert.ok(stop.every((s) => s.args === 'SIGTERM'), 'SIGTERM stops it');
    const cli = read('src/cli/scim.ts');
    assert.match(cli, /process\.once\('SIGTERM'/, 'scim serve handles SIGTERM itself (PID 1 has no default action)');
    assert.match(cli, /bridge\.stop\(\)/, 'and stops the bridge gracefully');
  });

  it('has a HEALTHCHECK that node itself answers from /healthz', async () => {
    const hc = one(final, 'HEALTHCHECK');
    const m = /^((?:--\S+\s+)*)CMD\s+(.*)$/s.exec(hc.args);
    assert.ok(m, 'HEALTHCHECK [OPTIONS] CMD …');
    const argv = execForm(m[2], 'HEALTHCHECK CMD');
    assert.equal(argv[0], 'node', 'no curl or wget in a slim image');
    assert.ok(argv.join(' ').includes('/healthz'));
    const timeout = /--timeout=(\d+)s/.exec(m[1]);
    assert.ok(timeout && Number(timeout[1]) >= 5, 'a timeout above the check\'s own 4 s');

    const run = (listen: string) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, argv.slice(1), { env: { PATH: process.env.PATH, HALO_IDENTITY_SCIM_LISTEN: listen }, stdio: 'ignore' });
        child.on('exit', (code) => resolve(code));
      });
    let status = 200;
    const asked: string[] = [];
    const server = http.createServer((req, res) => {
      asked.push(req.url ?? '');
      res.writeHead(status).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      assert.equal(await run(`0.0.0.0:${port}`), 0, 'healthy when /healthz answers 200');
      assert.deepEqual(asked, ['/healthz']);
      status = 503;
      assert.equal(await run(`0.0.0.0:${port}`), 1, 'unhealthy on another status');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    assert.equal(await run(`0.0.0.0:${port}`), 1, 'unhealthy when nothing listens');
  });

  it('bakes no secret into the image', () => {
    const secretName = /SECRET|TOKEN|PASSWORD|PASSWD|API_?KEY|PRIVATE|CREDENTIAL/i;
    for (const stage of stages) {
      for (const [k, v] of envOf(stage)) {
        assert.ok(!secretName.test(k), `ENV ${k} looks like a secret`);
        assert.ok(!/^[A-Za-z0-9_-]{32,}$/.test(v), `ENV ${k} has a value that looks like a secret`);
      }
    }
    for (const ins of instructions.filter((i) => i.op === 'ARG' || i.op === 'LABEL')) assert.ok(!secretName.test(ins.args.split('=')[0]), `line ${ins.line}: ${ins.op} ${ins.args}`);
    // Secrets reach a mapping only as references resolved at run time (scim[].tokens must be ${env:…}).
    const text = read('Dockerfile');
    assert.ok(!/\$\{env:/.test(text.replace(/^#.*$/gm, '')), 'no mapping text inside the Dockerfile');
  });
});
