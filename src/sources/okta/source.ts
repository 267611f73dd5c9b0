// Okta as a directory source: a mapping's `okta:` entry opened into a live connection.
import type { DirectoryNeeds } from '../../core/needs';
import type { GroupTree } from '../../core/reports/group-paths';
import type { DirectoryGroup } from '../../core/snapshot';
import { assertSecureUrl } from '../../net/http';
import type { AccessCheck, DirectoryConnection, DirectorySource, IncrementalReadOptions, OpenContext, ReadOptions } from '../source';
import { readOrgIncremental } from './cache';
import { OKTA_SCOPES, OktaAuth } from './auth';
import { OktaClient } from './client';
import { GROUPS_PAGE, groupName, MEMBERS_PAGE } from './groups';
import { readOrg } from './reader';
import type { OktaConnection, ResolvedOktaConnection } from './settings';

export const oktaSource: DirectorySource = {
  key: 'okta',
  open(settings, context) {
    return new OktaDirectory(resolve(settings as unknown as OktaConnection, context), context);
  },
};

function resolve(conn: OktaConnection, context: OpenContext): ResolvedOktaConnection {
  const orgUrl = conn.orgUrl.replace(/\/+$/, '');
  assertSecureUrl(orgUrl, `okta ${conn.name}: orgUrl`);
  if (conn.apiToken) return { name: conn.name, orgUrl, credential: { kind: 'api-token', token: conn.apiToken } };
  const privateKey = conn.privateKey ?? (conn.privateKeyFile ? context.readFile(conn.privateKeyFile, 'private key file') : undefined);
  if (!conn.clientId || !privateKey) throw new Error(`okta ${conn.name}: give apiToken, or clientId with privateKey or privateKeyFile`);
  return { name: conn.name, orgUrl, credential: { kind: 'service-app', clientId: conn.clientId, privateKey, keyId: conn.keyId } };
}

export class OktaDirectory implements DirectoryConnection {
  readonly source = 'okta';
  readonly personal = false;
  readonly name: string;
  readonly auth: OktaAuth;

  constructor(
    readonly conn: ResolvedOktaConnection,
    private readonly context: OpenContext,
  ) {
    this.name = conn.name;
    this.auth = new OktaAuth(conn, context.http, context.retry);
  }

  /** A client per read, so its request count is that read's. */
  client(o: ReadOptions): OktaClient {
    return new OktaClient({ tenant: this.name, orgUrl: this.conn.orgUrl, auth: this.auth, http: this.context.http, signal: o.signal, log: o.log, retry: this.context.retry });
  }

  read(needs: DirectoryNeeds, o: ReadOptions) {
    return readOrg(this.client(o), this.name, needs, o);
  }

  readIncremental(needs: DirectoryNeeds, o: IncrementalReadOptions) {
    return readOrgIncremental(this.client(o), this.name, this.conn.orgUrl, needs, o);
  }

  async checkAccess(_needs: DirectoryNeeds, o: ReadOptions): Promise<AccessCheck> {
    const client = this.client(o);
    let granted: string[] = [];
    try {
      granted = (await this.auth.scopes(o.signal)) ?? [];
      // What the credentials may really read: one user and one group (Okta applies scopes and admin roles both).
      await client.get(client.url('/users?limit=1'), o.signal);
      await client.get(client.url('/groups?limit=1'), o.signal);
    } catch (e) {
      const detail = e instanceof Error ? e.message : String(e);
      const fix =
        this.auth.kind === 'service-app'
          ? `In Okta, Applications → the API service app: grant the Okta API scopes ${OKTA_SCOPES.join(' and ')} and assign it an admin role that may read users and groups (Read-only Administrator); check okta[].clientId and its key.`
          : 'Check okta[].apiToken (Security → API → Tokens) and that the admin who made it may read users and groups.';
      return { ok: false, detail, missing: [], fix, granted };
    }
    const missing = this.auth.kind === 'service-app' ? OKTA_SCOPES.filter((s) => !granted.includes(s)) : [];
    const how = this.auth.kind === 'service-app' ? `service app token, scopes: ${granted.join(' ') || 'none'}` : 'API token';
    return {
      ok: missing.length === 0,
      detail: `${how}; may read users and groups${missing.length ? `; missing ${missing.join(' and ')}` : ''}`,
      missing,
      fix: missing.length ? `In Okta, Applications → the API service app → Okta API Scopes: grant ${missing.join(', ')}.` : '',
      granted,
    };
  }

  async groupNames(o: ReadOptions & { maxGroups?: number }) {
    const client = this.client(o);
    const out: Array<{ id: string; displayName: string }> = [];
    for await (const page of client.pages(client.url(`/groups?limit=${GROUPS_PAGE}`), o.signal)) {
      for (const g of page) if (typeof g.id === 'string') out.push({ id: g.id, displayName: groupName(g) });
      if (out.length > (o.maxGroups ?? 20_000)) return undefined;
    }
    return out;
  }

  /** Okta groups do not nest: each tree is the group and its users. */
  async groupTrees(groups: readonly DirectoryGroup[], o: ReadOptions): Promise<GroupTree> {
    const client = this.client(o);
    const tree = new Map<string, { name: string; users: Set<string>; groups: string[] }>();
    for (const g of groups) {
      const users = new Set<string>();
      for await (const page of client.pages(client.url(`/groups/${g.id}/users?limit=${MEMBERS_PAGE}`), o.signal)) for (const u of page) if (typeof u.id === 'string') users.add(u.id);
      tree.set(g.id, { name: g.displayName, users, groups: [] });
    }
    return tree;
  }
}
