// Extension activation in a fresh Node process: dist/extension.js required with a stand-in for the
// `vscode` module (every API a no-op), then activate() called with a fake ExtensionContext. Times
// the require and the activate call, and lists which lazily loaded bundles (dist/lazy) got loaded.
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';

const ROOT = process.env.HALO_BENCH_ROOT ?? path.resolve(__dirname, '..', '..');

/** Any property, call or `new` gives another stand-in; it is never a thenable and prints as its path. */
function standIn(name: string): unknown {
  const children = new Map<PropertyKey, unknown>();
  const target = function () {
    /* stand-in */
  };
  return new Proxy(target, {
    get(_t, p) {
      if (p === 'then') return undefined;
      if (p === Symbol.toPrimitive || p === 'toString') return () => name;
      if (p === Symbol.iterator) return function* () {
        /* empty */
      };
      if (p === 'length') return 0;
      if (!children.has(p)) children.set(p, standIn(`${name}.${String(p)}`));
      return children.get(p);
    },
    set(_t, p, v) {
      children.set(p, v);
      return true;
    },
    apply: () => standIn(`${name}()`),
    construct: () => standIn(`new ${name}`) as object,
    has: () => true,
  });
}

function memento(): unknown {
  const data = new Map<string, unknown>();
  return { get: (k: string, d?: unknown) => (data.has(k) ? data.get(k) : d), update: async (k: string, v: unknown) => void data.set(k, v), keys: () => [...data.keys()], setKeysForSync: () => undefined };
}

// The bundle wraps the module in a namespace object (esbuild's __toESM) that copies its own
// properties and takes its prototype: a prototype answering any name covers every API the bundle
// uses, minified or not.
const file = path.join(ROOT, 'dist', 'extension.js');
const api = new Map<string, unknown>();
const anyName = new Proxy(
  {},
  {
    get(_t, p) {
      if (typeof p === 'symbol' || p === 'then' || p === '__esModule') return undefined;
      if (!api.has(p)) api.set(p, standIn(`vscode.${p}`));
      return api.get(p);
    },
  },
);
const vscode: Record<string, unknown> = Object.create(anyName);
vscode.version = '1.99.0';
const resolve = (Module as unknown as { _resolveFilename: (r: string, ...rest: unknown[]) => string })._resolveFilename;
(Module as unknown as { _resolveFilename: (r: string, ...rest: unknown[]) => string })._resolveFilename = function (request: string, ...rest: unknown[]) {
  return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest);
};
require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: vscode } as unknown as NodeJS.Module;

const packageJSON = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const context = {
  subscriptions: [] as Array<{ dispose(): unknown }>,
  extensionUri: standIn('extensionUri'),
  extensionPath: ROOT,
  extension: { id: 'halo-identity.halo-identity', packageJSON, extensionUri: standIn('extension.extensionUri') },
  extensionMode: 1, // Production
  globalState: memento(),
  workspaceState: memento(),
  secrets: { get: async () => undefined, store: async () => undefined, delete: async () => undefined, onDidChange: standIn('onDidChange') },
  storageUri: undefined,
  globalStorageUri: standIn('globalStorageUri'),
  logUri: standIn('logUri'),
  asAbsolutePath: (p: string) => path.join(ROOT, p),
  environmentVariableCollection: standIn('environmentVariableCollection'),
};

const before = new Set(Object.keys(require.cache));
let t = process.hrtime.bigint();
const ext = require(file) as { activate(ctx: unknown): unknown };
const requireMs = Number(process.hrtime.bigint() - t) / 1e6;
t = process.hrtime.bigint();
let error: string | null = null;
try {
  ext.activate(context);
} catch (e) {
  error = (e as Error).stack ?? String(e);
}
const activateMs = Number(process.hrtime.bigint() - t) / 1e6;
const loaded = Object.keys(require.cache).filter((k) => !before.has(k) && k !== file);
process.stdout.write(
  JSON.stringify({
    requireMs,
    activateMs,
    error,
    lazyLoaded: loaded.filter((k) => k.includes(`${path.sep}dist${path.sep}lazy${path.sep}`)).map((k) => path.relative(ROOT, k)),
    otherLoaded: loaded.filter((k) => !k.includes(`${path.sep}dist${path.sep}lazy${path.sep}`)).map((k) => path.relative(ROOT, k)),
    subscriptions: context.subscriptions.length,
  }) + '\n',
);
