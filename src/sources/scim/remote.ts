// Reads one connection through a running bridge's own SCIM API (GET /Users and /Groups, paged),
// with that connection's credentials: how `plan` and the editor see what an IdP pushed when the
// bridge runs elsewhere. The bridge answers each connection with its own users alone.
import type { HttpClient } from '../../net/http';
import type { DirectoryNeeds } from '../../core/needs';
import type { DirectoryTenant } from '../../core/snapshot';
import { DirectoryReadError } from '../errors';
import { jsonOf, retryingGet } from '../retrying-get';
import type { ReadOptions, RetryOptions } from '../source';
import { oauthSays, postTokenRequest } from '../token-request';
import { directoryGroups, directoryUsers, ScimGroup } from './users';

/** The bridge's maxResults (ServiceProviderConfig): the fewest requests for a full read. */
const PAGE = 1000;

export interface RemoteBridge {
  tenant: string;
  /** The bridge's origin, such as https://scim.contoso.example. */
  url: string;
  token?: string;
  client?: { id: string; secret: string };
  http: HttpClient;
  retry?: RetryOptions;
}

type Json = Record<string, unknown>;

export class BridgeReader {
  private access?: { token: string; until: number };
  requests = 0;

  constructor(private readonly b: RemoteBridge) {}

  private fail(why: string, endpoint: string, status?: number): DirectoryReadError {
    return new DirectoryReadError(`Reading SCIM "${this.b.tenant}" through the bridge at ${this.b.url} failed: ${why}; nothing was read from this connection.`, { tenant: this.b.tenant, endpoint, status });
  }

  private async authorization(rejected?: string, signal?: AbortSignal): Promise<string> {
    if (this.b.token) return `Bearer ${this.b.token}`;
    if (!this.b.client) throw this.fail('the connection has neither tokens nor clientId and clientSecrets', 'sign-in');
    if (!this.access || this.access.until < Date.now() || rejected === `Bearer ${this.access.token}`) {
      const client = this.b.client;
      const form = () => new URLSearchParams({ grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret });
      this.requests++;
      const { res, body } = await postTokenRequest(this.b.http, `${this.b.url}/oauth/token`, form, this.b.retry ?? {}, signal, (why) => this.fail(why, 'sign-in'));
      if (res.status !== 200 || typeof body.access_token !== 'string') throw this.fail(`the token endpoint answered HTTP ${res.status}${oauthSays(body).said ? ` (${oauthSays(body).said})` : ''}`, 'sign-in', res.status);
      this.access = { token: body.access_token, until: Date.now() + Math.max(0, Number(body.expires_in) - 60 || 0) * 1000 };
    }
    return `Bearer ${this.access.token}`;
  }

  /** Every resource of a list, page by page (startIndex is 1-based; RFC 7644 §3.4.2.4). */
  async all(what: 'Users' | 'Groups', opts: ReadOptions, extra = ''): Promise<Json[]> {
    const out: Json[] = [];
    for (let start = 1; ; ) {
      const endpoint = `GET /scim/v2/${what}`;
      const page = await retryingGet<{ total: number; resources: Json[] }>({
        url: `${this.b.url}/scim/v2/${what}?startIndex=${start}&count=${PAGE}${extra}`,
        endpoint,
        http: this.b.http,
        retry: this.b.retry,
        signal: opts.signal,
        log: opts.log,
        who: `SCIM "${this.b.tenant}"`,
        refreshable: !this.b.token,
        authorization: (rejected) => this.authorization(rejected, opts.signal),
        onRequest: () => this.requests++,
        judge: (res) => {
          if (res.status === 429 || res.status >= 500) return { retry: `HTTP ${res.status}`, waitMs: Number(res.headers['retry-after']) * 1000 || undefined };
          if (res.status !== 200) return { fail: this.fail(`HTTP ${res.status}${res.status === 401 ? ' (the bridge does not take these credentials)' : ''}`, endpoint, res.status) };
          const parsed = jsonOf(res);
          if ('retry' in parsed) return parsed;
          const body = parsed.json as Json;
          if (!body || typeof body.totalResults !== 'number' || !Array.isArray(body.Resources)) return { fail: this.fail('the answer is not a SCIM ListResponse', endpoint, res.status) };
          return { value: { total: body.totalResults, resources: body.Resources as Json[] } };
        },
        exhausted: (attempts, failure) => this.fail(`${failure} (${attempts} attempts)`, endpoint),
      });
      out.push(...page.resources);
      start += page.resources.length;
      if (page.resources.length === 0 || start > page.total) {
        // A list that shrank or grew while it was read is read again rather than trusted.
        if (out.length !== page.total) throw this.fail(`the bridge reported ${page.total} ${what.toLowerCase()} but gave ${out.length}`, endpoint);
        return out;
      }
    }
  }
}

export async function readBridge(reader: BridgeReader, tenant: string, needs: DirectoryNeeds, opts: ReadOptions): Promise<DirectoryTenant> {
  const resources = (await reader.all('Users', opts, '&excludedAttributes=groups')).filter((u) => typeof u.id === 'string');
  const groups: ScimGroup[] = needs.groups.length
    ? (await reader.all('Groups', opts)).map((g) => ({
        id: String(g.id),
        externalId: typeof g.externalId === 'string' ? g.externalId : null,
        displayName: String(g.displayName ?? ''),
        memberIds: (Array.isArray(g.members) ? (g.members as Json[]) : []).map((m) => String(m.value)),
      }))
    : [];
  const users = directoryUsers(resources, needs);
  const fail = (why: string) => new DirectoryReadError(`Reading SCIM "${tenant}" through the bridge failed: ${why}; nothing was read from this connection.`, { tenant, endpoint: 'GET /scim/v2/Groups' });
  return { tenant, users, groups: directoryGroups(groups, needs.groups, new Set(users.map((u) => u.id)), fail, (m) => opts.log?.('warn', `SCIM "${tenant}": ${m}`)) };
}
