// Google Workspace as a directory source: a mapping's `google:` entry opened into a live connection.
import type { DirectoryNeeds } from '../../core/needs';
import type { DirectoryGroup } from '../../core/snapshot';
import { assertSecureUrl } from '../../net/http';
import type { AccessCheck, DirectoryConnection, DirectorySource, OpenContext, ReadOptions } from '../source';
import { GOOGLE_SCOPES, GoogleAuth } from './auth';
import { GoogleClient } from './client';
import { directMembers, listGroups } from './groups';
import { readCustomer } from './reader';
import type { GoogleConnection, ResolvedGoogleConnection, ServiceAccountKey } from './settings';

export const googleSource: DirectorySource = {
  key: 'google',
  open(settings, context) {
    return new GoogleDirectory(resolve(settings as unknown as GoogleConnection, context), context);
  },
};

function resolve(conn: GoogleConnection, context: OpenContext): ResolvedGoogleConnection {
  const text = conn.serviceAccountKey ?? (conn.serviceAccountKeyFile ? context.readFile(conn.serviceAccountKeyFile, 'service account key file') : undefined);
  if (!text) throw new Error(`google ${conn.name}: give serviceAccountKey or serviceAccountKeyFile`);
  let key: ServiceAccountKey;
  try {
    key = JSON.parse(text) as ServiceAccountKey;
  } catch {
    // Never echo the text: it is a private key.
    throw new Error(`google ${conn.name}: the service account key is not JSON (download the key of the service account as JSON)`);
  }
  if (typeof key.client_email !== 'string' || typeof key.private_key !== 'string') throw new Error(`google ${conn.name}: the service account key has no client_email or private_key`);
  const apiUrl = (conn.apiUrl ?? 'https://admin.googleapis.com').replace(/\/+$/, '');
  const tokenUrl = conn.tokenUrl ?? key.token_uri ?? 'https://oauth2.googleapis.com/token';
  assertSecureUrl(apiUrl, `google ${conn.name}: apiUrl`);
  assertSecureUrl(tokenUrl, `google ${conn.name}: tokenUrl`);
  return { name: conn.name, subject: conn.subject, key, customer: conn.customer ?? 'my_customer', apiUrl, tokenUrl };
}

export class GoogleDirectory implements DirectoryConnection {
  readonly source = 'google';
  readonly personal = false;
  readonly name: string;
  readonly auth: GoogleAuth;

  constructor(
    readonly conn: ResolvedGoogleConnection,
    private readonly context: OpenContext,
  ) {
    this.name = conn.name;
    this.auth = new GoogleAuth(conn, context.http, context.retry);
  }

  client(o: ReadOptions): GoogleClient {
    return new GoogleClient({ tenant: this.name, apiUrl: this.conn.apiUrl, auth: this.auth, http: this.context.http, signal: o.signal, log: o.log, retry: this.context.retry });
  }

  read(needs: DirectoryNeeds, o: ReadOptions) {
    return readCustomer(this.client(o), this.name, this.conn.customer, needs, o);
  }

  async checkAccess(_needs: DirectoryNeeds, o: ReadOptions): Promise<AccessCheck> {
    const client = this.client(o);
    try {
      await client.get(client.url('/users', { customer: this.conn.customer, maxResults: 1, fields: 'users(id)' }), o.signal);
      await client.get(client.url('/groups', { customer: this.conn.customer, maxResults: 1, fields: 'groups(id)' }), o.signal);
    } catch (e) {
      return {
        ok: false,
        detail: e instanceof Error ? e.message : String(e),
        missing: [],
        fix: `Check google[].subject (an administrator), the service account key, and that domain-wide delegation allows the service account's client ID the scopes ${GOOGLE_SCOPES.join(', ')}.`,
        granted: [],
      };
    }
    return { ok: true, detail: `acting as ${this.conn.subject}; may read users and groups`, missing: [], fix: '', granted: GOOGLE_SCOPES };
  }

  async groupNames(o: ReadOptions & { maxGroups?: number }) {
    const all = await listGroups(this.client(o), this.conn.customer, o.signal);
    if (all.length > (o.maxGroups ?? 20_000)) return undefined;
    return all.flatMap((g) => (typeof g.id === 'string' ? [{ id: g.id, displayName: String(g.name ?? g.email ?? g.id) }] : []));
  }

  async groupTrees(groups: readonly DirectoryGroup[], o: ReadOptions) {
    const client = this.client(o);
    const tree = new Map<string, { name: string; users: Set<string>; groups: string[] }>();
    const queue = groups.map((g) => ({ id: g.id, name: g.displayName }));
    while (queue.length) {
      const { id, name } = queue.shift()!;
      if (tree.has(id)) continue;
      const m = await directMembers(client, id, o.signal);
      tree.set(id, { name, users: new Set(m.users), groups: m.groups });
      for (const g of m.groups) queue.push({ id: g, name: g });
    }
    return tree;
  }
}
