// `npm pack` gives the CLI package: the bundle and what npm always ships, nothing of the extension,
// the sources or the tests (.npmignore; the .vsix is vsce's, from .vscodeignore). It installs in a
// clean folder and runs `halo-identity demo` there.
//
// The install is offline: CI reaches the registry only for `npm ci`, so this one installs from
// the npm cache that `npm ci` filled. That cache holds the lockfile's tarballs but not the
// registry's package documents (npm ci never asks for them), so a bare `npm install <tarball>`
// cannot resolve version ranges offline. The clean folder is therefore what a consumer's repo
// is (examples/pipelines/: a package.json pinning halo-identity, and its lockfile), its lockfile
// made from this project's: halo-identity from the tarball, and the same versions of its
// runtime dependencies that this project's lockfile pins, each found in the cache by integrity.
// better-sqlite3 is compiled there from source by node-gyp against Node's own headers (its
// prebuilt-binary download cannot be had here), which is most of this test's minute.
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Ran, ROOT, runProcess } from '../support/cli';

/** npm quiet about updates, funding and audits, the rest of the environment kept. */
function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<Ran> {
  return runProcess(cmd, args, { cwd, env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...env } });
}

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dev?: boolean;
  link?: boolean;
  [k: string]: unknown;
}

/** A consumer's lockfile: halo-identity from the tarball, its runtime dependencies as this project's lockfile pins them. */
function consumerLock(tarball: string, integrity: string): object {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const packages: Record<string, unknown> = {
    '': { name: 'msp-identities', dependencies: { 'halo-identity': `file:${tarball}` } },
    'node_modules/halo-identity': { version: pkg.version, resolved: `file:${tarball}`, integrity, license: pkg.license, dependencies: pkg.dependencies, bin: pkg.bin, engines: pkg.engines },
  };
  for (const [where, entry] of Object.entries(lock.packages)) {
    // The root is this project; dev entries are not installed for a dependency. Paths stay as they
    // are: this project's runtime tree is hoisted under node_modules/ as a consumer's would be.
    if (!where || entry.dev || entry.link) continue;
    const name = where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length);
    // This machine writes lockfiles without registry addresses; a consumer's has them, and npm
    // needs one to fetch (from the cache, by integrity) without asking the registry first.
    packages[where] = { ...entry, resolved: entry.resolved ?? `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${entry.version}.tgz` };
  }
  return { name: 'msp-identities', lockfileVersion: 3, requires: true, packages };
}

describe('npm pack: the CLI package', () => {
  let dir: string;
  let packed: { filename: string; files: Array<{ path: string }> };
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halo-identity-pack-'));
    const res = await run('npm', ['pack', '--json', '--pack-destination', dir], ROOT);
    assert.equal(res.code, 0, res.stderr);
    packed = JSON.parse(res.stdout)[0];
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('holds dist/cli.js, package.json, README.md and LICENSE, and nothing of the extension, the sources or the tests', () => {
    assert.deepEqual(packed.files.map((f) => f.path).sort(), ['LICENSE', 'README.md', 'dist/cli.js', 'package.json']);
  });

  it('installs offline in a clean folder and runs `halo-identity demo`', { timeout: 600_000 }, async () => {
    const app = path.join(dir, 'app');
    fs.mkdirSync(app);
    fs.copyFileSync(path.join(dir, packed.filename), path.join(app, packed.filename));
    const integrity = `sha512-${crypto.createHash('sha512').update(fs.readFileSync(path.join(app, packed.filename))).digest('base64')}`;
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'msp-identities', private: true, dependencies: { 'halo-identity': `file:${packed.filename}` } }, null, 2));
    fs.writeFileSync(path.join(app, 'package-lock.json'), JSON.stringify(consumerLock(packed.filename, integrity), null, 2));

    const install = await run('npm', ['ci', '--offline'], app);
    assert.equal(install.code, 0, `npm ci --offline from the cache that the project's npm ci filled (ENOTCACHED: a package the lockfile names is not in it):\n${install.stderr}`);

    const version = await run('npx', ['halo-identity', '--version'], app, { npm_config_offline: 'true' });
    assert.equal(version.stdout.trim(), JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version, version.stderr);
    const demo = await run('npx', ['halo-identity', 'demo', '--users', '40'], app, { npm_config_offline: 'true' });
    assert.equal(demo.code, 0, demo.stdout + demo.stderr);
    assert.match(demo.stdout, /^Converged: Halo now matches the mapping\.$/m);
    assert.ok(fs.realpathSync(path.join(app, 'node_modules', '.bin', 'halo-identity')).startsWith(fs.realpathSync(path.join(app, 'node_modules', 'halo-identity'))), 'the installed package ran, not this checkout');

    // The one module the bundle leaves out (the SCIM bridge's store) was built and loads where the CLI looks for it.
    const sqlite = await run(process.execPath, ['-e', "const D = require('better-sqlite3'); process.stdout.write(String(new D(':memory:').prepare('select 40 + 2 as x').get().x))"], path.join(app, 'node_modules', 'halo-identity', 'dist'));
    assert.equal(sqlite.stdout, '42', sqlite.stderr);
  });
});
