// The SCIM bridge's store as a directory source: a mapping's `scim:` entry, read from the store
// file beside the mapping (the bridge's own machine) or through a running bridge (`url:`).
import * as path from 'node:path';
import type { DirectoryNeeds } from '../../core/needs';
import type { GroupTree } from '../../core/reports/group-paths';
import type { DirectoryGroup } from '../../core/snapshot';
import { assertSecureUrl } from '../../net/http';
import type { AccessCheck, DirectoryConnection, DirectorySource, OpenContext, ReadOptions } from '../source';
import { readStore, storeGroupNames } from './local';
import { BridgeReader, readBridge } from './remote';

export interface ScimConnection {
  name: string;
  tokens?: string[];
  clientId?: string;
  clientSecrets?: string[];
  tokenMinutes?: number;
  store?: string;
  url?: string;
}

/** Where the bridge keeps its store unless told otherwise: the state folder beside the mapping. */
const DEFAULT_STORE = '.halo-identity/scim/store.db';

/**
 * The store a scim: entry reads: its `store`, else HALO_IDENTITY_SCIM_STORE (where `scim serve`
 * keeps it when the mapping does not say), else the default; relative to the mapping's folder.
 */
export function storeFileOf(store: unknown, baseDir: string): string {
  return path.resolve(baseDir, typeof store === 'string' ? store : (process.env.HALO_IDENTITY_SCIM_STORE ?? DEFAULT_STORE));
}

export const scimSource: DirectorySource = {
  key: 'scim',
  // The store is read from its file: the IdP's tokens and client secrets are the bridge's business.
  unusedForReading: (settings) => (settings.url === undefined ? ['tokens', 'clientSecrets'] : []),
  open(settings, context) {
    return new ScimDirectory(settings as unknown as ScimConnection, context);
  },
};

export class ScimDirectory implements DirectoryConnection {
  readonly source = 'scim';
  readonly personal = false;
  readonly name: string;
  private readonly file?: string;
  private readonly remote?: BridgeReader;

  constructor(conn: ScimConnection, context: OpenContext) {
    this.name = conn.name;
    if (conn.url) {
      const url = conn.url.replace(/\/+$/, '');
      assertSecureUrl(url, `scim ${conn.name}: url`);
      const secret = conn.clientSecrets?.[0];
      this.remote = new BridgeReader({ tenant: conn.name, url, token: conn.tokens?.[0], client: conn.clientId && secret ? { id: conn.clientId, secret } : undefined, http: context.http, retry: context.retry });
    } else {
      this.file = storeFileOf(conn.store, context.baseDir ?? '.');
    }
  }

  async read(needs: DirectoryNeeds, o: ReadOptions) {
    if (needs.tenant !== this.name) throw new Error(`needs for tenant "${needs.tenant}" given to connection "${this.name}"`);
    const started = Date.now();
    const snapshot = this.remote ? await readBridge(this.remote, this.name, needs, o) : readStore(this.file as string, this.name, needs, o.log);
    o.log?.('info', `SCIM "${this.name}": read ${snapshot.users.length} users and ${snapshot.groups.length} groups ${this.remote ? 'through the bridge' : 'from the store'} in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    return snapshot;
  }

  async checkAccess(needs: DirectoryNeeds, o: ReadOptions): Promise<AccessCheck> {
    try {
      const snapshot = await this.read({ ...needs, groups: [] }, o);
      return { ok: true, detail: `${this.remote ? 'the bridge answers with these credentials' : `the store ${this.file} is readable`}; ${snapshot.users.length} users pushed`, missing: [], fix: '', granted: [] };
    } catch (e) {
      const fix = this.remote ? 'Check scim[].url and that the bridge has this connection with these tokens or client secrets.' : 'Run the bridge (halo-identity scim serve) with this mapping, or give scim[].store the path of its store, or scim[].url to read a bridge that runs elsewhere.';
      return { ok: false, detail: (e as Error).message, missing: [], fix, granted: [] };
    }
  }

  async groupNames(o: ReadOptions) {
    if (this.file) return storeGroupNames(this.file, this.name);
    const groups = await (this.remote as BridgeReader).all('Groups', o, '&excludedAttributes=members');
    return groups.map((g) => ({ id: String(g.id), displayName: String(g.displayName ?? '') }));
  }

  /** Groups pushed over SCIM do not nest: each tree is the group and its users. */
  async groupTrees(groups: readonly DirectoryGroup[]): Promise<GroupTree> {
    return new Map(groups.map((g) => [g.id, { name: g.displayName, users: new Set(g.memberIds), groups: [] }]));
  }
}
