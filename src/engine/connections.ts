// From a validated mapping to live clients: secret references resolved (environment or the
// editor's secret store), extra CAs and key files read beside the mapping, one Halo client.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Mapping } from '../core/mapping';
import { DEFAULT_BATCH_SIZE, DEFAULT_PAGE_SIZE, DEFAULT_RATE_LIMIT } from '../core/mapping';
import { listReferences, ReferenceKind, resolveReferences } from '../core/secrets';
import type { DelegatedTokenSource, ResolvedEntraConnection } from '../entra/connection';
import type { RetryOptions } from '../entra/options';
import { HaloClient } from '../halo/client';
import { HttpClient } from '../net/http';

/** Looks a secret up by reference; `secret:` names are only available inside the editor. */
export type SecretLookup = (kind: ReferenceKind, name: string) => string | undefined | Promise<string | undefined>;

export const envLookup: SecretLookup = (kind, name) => (kind === 'env' ? process.env[name] : undefined);

export type Log = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;

export interface Connections {
  mapping: Mapping;
  http: HttpClient;
  halo: HaloClient;
  entra: ResolvedEntraConnection[];
  entraRetry?: RetryOptions;
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
  /** Graph retry pacing (tests shorten it). */
  entraRetry?: RetryOptions;
  userAgent?: string;
  /**
   * A delegated sign-in for an Entra connection whose own credentials (clientSecret or
   * certificate) cannot be resolved; called with the connection's resolved identifiers.
   */
  delegatedEntra?: (conn: { name: string; tenantId: string; clientId: string; http: HttpClient }) => DelegatedTokenSource | undefined;
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
  const ca = (mapping.tls?.caFiles ?? []).map((f) => readBeside(baseDir, f, 'CA certificate file'));
  return new HttpClient({ ca, userAgent });
}

function readBeside(baseDir: string, file: string, what: string): string {
  const full = path.resolve(baseDir, file);
  try {
    return fs.readFileSync(full, 'utf8');
  } catch (e) {
    throw new ConnectionError(`Cannot read ${what} ${full}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export async function connect(mapping: Mapping, options: ConnectOptions): Promise<Connections> {
  const lookup = options.lookup ?? envLookup;
  const values = new Map<string, string | undefined>();
  for (const ref of listReferences({ halo: mapping.halo, entra: mapping.entra })) {
    const key = `${ref.kind}:${ref.name}`;
    // An empty value is as good as none: never send a blank secret.
    if (!values.has(key)) values.set(key, (await lookup(ref.kind, ref.name)) || undefined);
  }
  const { value: resolved, missing: unresolved } = resolveReferences({ halo: mapping.halo, entra: mapping.entra }, (kind, name) => values.get(`${kind}:${name}`));
  const http = httpClientFor(mapping, options.baseDir, options.userAgent);
  const delegated = new Map<number, DelegatedTokenSource>();
  const isCredential = (p: (string | number)[]) => p[0] === 'entra' && (p[2] === 'clientSecret' || p[2] === 'certificate');
  for (const m of unresolved) {
    if (!isCredential(m.path) || !options.delegatedEntra) continue;
    const i = m.path[1] as number;
    const conn = resolved.entra[i];
    const source = delegated.get(i) ?? options.delegatedEntra({ name: conn.name, tenantId: conn.tenantId, clientId: conn.clientId, http });
    if (source) delegated.set(i, source);
  }
  const missing = unresolved.filter((m) => !(isCredential(m.path) && delegated.has(m.path[1] as number)));
  if (missing.length) {
    const names = [...new Set(missing.map((m) => (m.kind === 'env' ? `environment variable ${m.name}` : `stored secret ${m.name}`)))];
    throw new ConnectionError(`Missing credentials: ${names.join(', ')} (referenced at ${missing.map((m) => m.path.join('.')).join(', ')})`);
  }

  const read = (file: string, what: string) => readBeside(options.baseDir, file, what);
  const stateDir = stateDirFor(options.baseDir);
  const h = resolved.halo;
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
  const entra: ResolvedEntraConnection[] = resolved.entra.map((conn, i) => {
    const { certificate, ...rest } = conn;
    const source = delegated.get(i);
    if (source) return { ...rest, clientSecret: undefined, delegated: source } as ResolvedEntraConnection;
    if (!certificate) return { ...rest } as ResolvedEntraConnection;
    const privateKey = certificate.privateKey ?? (certificate.privateKeyFile ? read(certificate.privateKeyFile, 'private key file') : undefined);
    if (!privateKey) throw new ConnectionError(`entra ${conn.name}: certificate needs privateKeyFile or privateKey`);
    return { ...rest, certificate: { thumbprintSha256: certificate.thumbprintSha256, privateKey, x5c: certificate.x5c } };
  });
  return {
    mapping,
    http,
    halo,
    entra,
    entraRetry: options.entraRetry,
    stateDir,
    close: () => http.close(),
  };
}
