// The bridge assembled: the mapping's scim: connections and their resolved credentials, the
// store, the SCIM server and the Halo syncer, started and stopped as one. `halo-identity scim
// serve` runs it; the tests run it the same way.
import * as path from 'node:path';
import { connectionsOf } from '../core/directories';
import type { Mapping } from '../core/mapping';
import { connect, ConnectOptions, envLookup, lookUpReferences, missingCredentials, SecretLookup } from '../engine/connections';
import { storeFileOf } from '../sources/scim/source';
import { BridgeAuth, BridgeCredential } from './auth';
import type { RateLimit } from './rate-limit';
import { AuditLine, BridgeServer, startBridgeServer } from './server';
import { ScimStore } from './store';
import { HaloSync, withLocalStore } from './sync';

export interface BridgeOptions {
  mapping: Mapping;
  /** The mapping file's folder. */
  baseDir: string;
  /** The store file (default: the first scim: connection's store, else .halo-identity/scim/store.db beside the mapping). */
  storeFile?: string;
  lookup?: SecretLookup;
  listen: { host: string; port: number };
  tls?: { cert: string; key: string };
  publicUrl?: string;
  rateLimit?: RateLimit;
  quietMs?: number;
  maxWaitMs?: number;
  retryMs?: number[];
  audit?: (line: AuditLine) => void;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** Passed to the engine's connect (tests shorten Halo's retry waits). */
  connectOptions?: Partial<ConnectOptions>;
  /** Leave Halo alone (tests of the SCIM face only; `scim serve --no-sync`). */
  noSync?: boolean;
}

export interface Bridge {
  url: string;
  store: ScimStore;
  sync?: HaloSync;
  server: BridgeServer;
  /** Graceful: no new requests, those in flight answered, a running Halo sync finished, the store closed. */
  stop(): Promise<void>;
}

/** Each scim: connection's secrets, resolved; a reference that resolves to nothing is an error. */
export async function bridgeCredentials(mapping: Mapping, lookup: SecretLookup = envLookup): Promise<BridgeCredential[]> {
  const refs = connectionsOf(mapping).filter((c) => c.directory.key === 'scim');
  if (!refs.length) throw new Error('the mapping has no scim: connection for an IdP to push to');
  const { value, missing } = await lookUpReferences({ scim: refs.map((r) => r.settings) }, lookup);
  if (missing.length) throw new Error(missingCredentials(missing));
  return (value.scim as Array<Record<string, unknown>>).map((s) => ({
    connection: String(s.name),
    tokens: (s.tokens as string[] | undefined) ?? [],
    clientId: s.clientId as string | undefined,
    clientSecrets: (s.clientSecrets as string[] | undefined) ?? [],
    tokenMinutes: (s.tokenMinutes as number | undefined) ?? 60,
  }));
}

export function defaultStoreFile(mapping: Mapping, baseDir: string): string {
  const first = connectionsOf(mapping).find((c) => c.directory.key === 'scim' && typeof c.settings.store === 'string');
  return storeFileOf(first?.settings.store, baseDir);
}

/** scim: entries naming another store than the bridge's: `plan` there would read something else. */
export function storeMismatches(mapping: Mapping, baseDir: string, storeFile: string): string[] {
  return connectionsOf(mapping)
    .filter((c) => c.directory.key === 'scim' && typeof c.settings.store === 'string' && path.resolve(baseDir, c.settings.store as string) !== path.resolve(storeFile))
    .map((c) => `scim ${c.name}: store ${String(c.settings.store)} is not the bridge's store ${storeFile}; plan and apply with this mapping read that file, not what the IdPs push here`);
}

export async function startBridge(o: BridgeOptions): Promise<Bridge> {
  const auth = new BridgeAuth(await bridgeCredentials(o.mapping, o.lookup));
  const storeFile = path.resolve(o.storeFile ?? defaultStoreFile(o.mapping, o.baseDir));
  for (const warning of storeMismatches(o.mapping, o.baseDir, storeFile)) o.log?.('warn', warning);
  const store = ScimStore.open(storeFile);
  const local = withLocalStore(o.mapping, storeFile);
  const sync = o.noSync
    ? undefined
    : new HaloSync({ store, connect: () => connect(local, { baseDir: o.baseDir, lookup: o.lookup, ...o.connectOptions }), quietMs: o.quietMs, maxWaitMs: o.maxWaitMs, retryMs: o.retryMs, log: o.log });
  let server: BridgeServer;
  try {
    server = await startBridgeServer(
      {
        store,
        auth,
        rateLimit: o.rateLimit,
        audit: o.audit,
        tls: o.tls,
        publicUrl: o.publicUrl,
        onChange: () => sync?.touch(),
        status: (connection) => ({ connection, store: store.counts(connection), halo: sync?.status() ?? { state: 'off' } }),
      },
      o.listen,
    );
  } catch (e) {
    store.close();
    throw e;
  }
  sync?.start();
  return {
    url: server.url,
    store,
    sync,
    server,
    async stop() {
      await server.close();
      await sync?.stop();
      store.close();
    },
  };
}
