// From a validated mapping to live clients: secret references resolved (environment or the
// editor's secret store), extra CAs and key files read beside the mapping, one Halo client.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { connectionsOf } from '../core/directories';
import type { Mapping } from '../core/mapping';
import { DEFAULT_BATCH_SIZE, DEFAULT_PAGE_SIZE, DEFAULT_RATE_LIMIT } from '../core/mapping';
import { listReferences, ReferenceKind, resolveReferences } from '../core/secrets';
import { HaloClient } from '../halo/client';
import { HttpClient } from '../net/http';
import { DirectoryConnection, PersonTokenSource, RetryOptions, SignInProvider, sourceFor } from '../sources';

/** Looks a secret up by reference; `secret:` names are only available inside the editor. */
export type SecretLookup = (kind: ReferenceKind, name: string) => string | undefined | Promise<string | undefined>;

export const envLookup: SecretLookup = (kind, name) => (kind === 'env' ? process.env[name] : undefined);

export type Log = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;

export interface Connections {
  mapping: Mapping;
  http: HttpClient;
  halo: HaloClient;
  /** One live connection per directory entry of the mapping, in connectionsOf order. */
  directories: DirectoryConnection[];
  /** The git-ignored folder beside the mapping for the limiter log and caches. */
  stateDir: string;
  close(): void;
}

export interface ConnectOptions {
  /** The mapping file's folder: relative paths (CA files, key files, state) resolve against it. */
  baseDir: string;
  lookup?: SecretLookup;
  signal?: AbortSignal;
  log?: Log;
  /** Halo retry waits (tests shorten them). */
  haloBackoffMs?: number[];
  /** Halo per-request timeout (tests shorten it; default 60 s). */
  haloTimeoutMs?: number;
  /** Directory retry pacing (tests shorten it). */
  directoryRetry?: RetryOptions;
  userAgent?: string;
  /**
   * A person's sign-in for a directory connection whose own credentials cannot be resolved (the
   * settings its source lets a sign-in replace); called with the connection's resolved settings.
   */
  signIn?: SignInProvider;
}

export class ConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectionError';
  }
}

export function stateDirFor(baseDir: string): string {
  return path.join(baseDir, '.halo-identity');
}

/** The HTTP client every request of a mapping goes through: TLS verified, trusting its tls.caFiles too. */
export function httpClientFor(mapping: Mapping, baseDir: string, userAgent = 'halo-identity'): HttpClient {
  return new HttpClient({ ca: extraAuthorities(mapping, baseDir), userAgent });
}

/** The certificate authorities tls.caFiles adds to the system's (PEM). */
function extraAuthorities(mapping: Mapping, baseDir: string): string[] {
  return (mapping.tls?.caFiles ?? []).map((f) => readBeside(baseDir, f, 'CA certificate file'));
}

function readBeside(baseDir: string, file: string, what: string): string {
  const full = path.resolve(baseDir, file);
  try {
    return fs.readFileSync(full, 'utf8');
  } catch (e) {
    throw new ConnectionError(`Cannot read ${what} ${full}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Every reference in `lists` looked up once; an empty value is as good as none: never a blank secret. */
export async function lookUpReferences<T>(lists: T, lookup: SecretLookup): Promise<ReturnType<typeof resolveReferences<T>>> {
  const values = new Map<string, string | undefined>();
  for (const ref of listReferences(lists)) {
    const key = `${ref.kind}:${ref.name}`;
    if (!values.has(key)) values.set(key, (await lookup(ref.kind, ref.name)) || undefined);
  }
  return resolveReferences(lists, (kind, name) => values.get(`${kind}:${name}`));
}

/** "Missing credentials: environment variable X (referenced at halo.clientSecret)". */
export function missingCredentials(missing: ReadonlyArray<{ kind: ReferenceKind; name: string; path: (string | number)[] }>): string {
  const names = [...new Set(missing.map((m) => (m.kind === 'env' ? `environment variable ${m.name}` : `stored secret ${m.name}`)))];
  return `Missing credentials: ${names.join(', ')} (referenced at ${missing.map((m) => m.path.join('.')).join(', ')})`;
}

export async function connect(mapping: Mapping, options: ConnectOptions): Promise<Connections> {
  const lookup = options.lookup ?? envLookup;
  const refs = connectionsOf(mapping);
  // The secret-bearing parts: halo and each directory list, under the keys the mapping uses (paths in messages).
  const lists: Record<string, unknown> = { halo: mapping.halo };
  for (const c of refs) lists[c.directory.key] = (mapping as unknown as Record<string, unknown>)[c.directory.key];
  const { value: resolved, missing: unresolved } = await lookUpReferences(lists, lookup);
  const http = httpClientFor(mapping, options.baseDir, options.userAgent);
  const settingsOf = (key: string, i: number) => (resolved[key] as Array<Record<string, unknown>>)[i];

  // A credential no reference resolves may be stood in for by a person's sign-in, where the source allows it.
  const signIns = new Map<string, PersonTokenSource>();
  const replaceable = (p: (string | number)[]) => typeof p[1] === 'number' && p[0] !== 'halo' && (sourceFor(String(p[0])).signInReplaces ?? []).includes(String(p[2]));
  for (const m of unresolved) {
    if (!replaceable(m.path) || !options.signIn) continue;
    const at = `${m.path[0]}:${m.path[1]}`;
    if (signIns.has(at)) continue;
    const settings = settingsOf(String(m.path[0]), m.path[1] as number);
    const person = options.signIn({ source: String(m.path[0]), name: String(settings.name), settings, http });
    if (person) signIns.set(at, person);
  }
  const unused = (p: (string | number)[]) => typeof p[1] === 'number' && p[0] !== 'halo' && (sourceFor(String(p[0])).unusedForReading?.(settingsOf(String(p[0]), p[1] as number)) ?? []).includes(String(p[2]));
  const missing = unresolved.filter((m) => !unused(m.path) && !(replaceable(m.path) && signIns.has(`${m.path[0]}:${m.path[1]}`)));
  if (missing.length) {
    throw new ConnectionError(missingCredentials(missing));
  }

  const readFile = (file: string, what: string) => readBeside(options.baseDir, file, what);
  const stateDir = stateDirFor(options.baseDir);
  const h = resolved.halo as Mapping['halo'];
  const halo = new HaloClient({
    url: h.url,
    authUrl: h.authUrl,
    tenant: h.tenant,
    clientId: h.clientId,
    clientSecret: h.clientSecret,
    scope: h.scope,
    pageSize: h.pageSize ?? DEFAULT_PAGE_SIZE,
    batchSize: h.batchSize ?? DEFAULT_BATCH_SIZE,
    rateLimit: h.rateLimit ?? DEFAULT_RATE_LIMIT,
    http,
    limiterStatePath: path.join(stateDir, 'halo-requests.log'),
    backoffMs: options.haloBackoffMs,
    timeoutMs: options.haloTimeoutMs,
    signal: options.signal,
    log: options.log,
  });
  const directories = refs.map((ref) => {
    const signIn = signIns.get(`${ref.directory.key}:${ref.index}`);
    let settings = settingsOf(ref.directory.key, ref.index);
    // With a person's sign-in, the credentials it stands in for are not half-resolved leftovers.
    if (signIn) settings = Object.fromEntries(Object.entries(settings).filter(([k]) => !(sourceFor(ref.directory.key).signInReplaces ?? []).includes(k)));
    try {
      return sourceFor(ref.directory.key).open(settings, { http, ca: extraAuthorities(mapping, options.baseDir), baseDir: options.baseDir, readFile, retry: options.directoryRetry, signIn });
    } catch (e) {
      if (e instanceof ConnectionError) throw e;
      throw new ConnectionError((e as Error).message);
    }
  });
  return { mapping, http, halo, directories, stateDir, close: () => http.close() };
}
