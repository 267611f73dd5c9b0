// What a directory source gives the engine: a live connection per mapping entry that reads the
// planner's neutral snapshot, fully or not at all. Each source is a folder beside this file
// (reader, auth, paging, throttling, incremental reads) registered once in ./index.ts; the engine
// and the faces reach a directory only through these interfaces.
import type { DirectoryNeeds } from '../core/needs';
import type { GroupTree } from '../core/reports/group-paths';
import type { DirectoryGroup, DirectoryTenant } from '../core/snapshot';
import type { HttpClient } from '../net/http';

export type SourceLogLevel = 'debug' | 'info' | 'warn' | 'error';
export type SourceLog = (level: SourceLogLevel, message: string) => void;

export interface RetryOptions {
  /** Tries per request, the first included (default 6). */
  maxAttempts?: number;
  /** First backoff delay when the answer names none; doubles each time (default 1000 ms). */
  baseDelayMs?: number;
  /** Per-attempt timeout; a timed-out attempt is retried (default: the reader's timeoutMs, 60 s). */
  timeoutMs?: number;
}

/** A token obtained for a person (device code, the editor's account) rather than the app. */
export type PersonTokenSource = (options: { signal?: AbortSignal; forceRefresh: boolean }) => Promise<{ accessToken: string; expiresOn: Date }>;

/** Asked for a person's sign-in when a connection's own credentials cannot be resolved (editor only). */
export type SignInProvider = (request: { source: string; name: string; settings: Record<string, unknown>; http: HttpClient }) => PersonTokenSource | undefined;

export interface OpenContext {
  /** Carries the extra trusted CAs (mapping `tls.caFiles`). */
  http: HttpClient;
  /** The same extra CAs (PEM), for a source that speaks another protocol than HTTP (LDAP). */
  ca?: string[];
  /** The mapping's folder: paths the mapping names (a store) are relative to it. */
  baseDir?: string;
  /** Reads a file named by the mapping (a private key), relative to the mapping's folder. */
  readFile(file: string, what: string): string;
  retry?: RetryOptions;
  /** A person's sign-in standing in for missing credentials, when the source allows one. */
  signIn?: PersonTokenSource;
}

export interface ReadOptions {
  signal?: AbortSignal;
  log?: SourceLog;
}

export interface IncrementalReadOptions extends ReadOptions {
  /** The state folder beside the mapping (`.halo-identity/`), where caches live. */
  stateDir: string;
}

/** How one connection was read by an incremental read. */
export interface ReadReport {
  tenant: string;
  /** `full`: read everything (and cached it); `delta`: the cache brought up to date. */
  mode: 'full' | 'delta';
  reason: string;
  requests: number;
  changes: number;
}

/** A permission check of Test Connections. */
export interface AccessCheck {
  ok: boolean;
  detail: string;
  missing: string[];
  fix: string;
  /** Every permission the credentials carry (for `validate --live`'s permission checks). */
  granted: string[];
}

export interface DirectoryConnection {
  /** The connection name (`tenant:` in rules). */
  readonly name: string;
  /** The source's list key (`entra`). */
  readonly source: string;
  /** Reading with a person's sign-in: what that person may see, for planning, never for an apply. */
  readonly personal: boolean;
  read(needs: DirectoryNeeds, options: ReadOptions): Promise<DirectoryTenant>;
  /** Brings a cached snapshot up to date where the API has a way (delta, lastUpdated); absent: read in full. */
  readIncremental?(needs: DirectoryNeeds, options: IncrementalReadOptions): Promise<{ snapshot: DirectoryTenant; report: ReadReport }>;
  /** Signs in and says what the credentials may read, for what the mapping needs. */
  checkAccess(needs: DirectoryNeeds, options: ReadOptions): Promise<AccessCheck>;
  /** Every group's name and id, for the editor's checks; undefined when there are too many to list. */
  groupNames(options: ReadOptions): Promise<Array<{ id: string; displayName: string }> | undefined>;
  /** Direct members of each group and of the groups nested in it, for reports' group paths. */
  groupTrees(groups: readonly DirectoryGroup[], options: ReadOptions): Promise<GroupTree>;
}

export interface DirectorySource {
  /** The mapping's list key, as in language.json. */
  readonly key: string;
  /** Settings whose references a person's sign-in may stand in for when they cannot be resolved. */
  readonly signInReplaces?: readonly string[];
  /**
   * Settings a read of this entry does not use, so their references need not resolve (the SCIM
   * store read on the bridge's machine needs none of the IdP's secrets).
   */
  unusedForReading?(settings: Record<string, unknown>): readonly string[];
  /** A live connection from a mapping entry whose secret references are resolved. */
  open(settings: Record<string, unknown>, context: OpenContext): DirectoryConnection;
}
