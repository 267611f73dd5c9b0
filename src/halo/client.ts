// The Halo client: one object per Halo connection, shared by plan and apply.
import type { HaloConnection } from '../core/mapping';
import type { HaloNeeds } from '../core/needs';
import type { HaloAgent, HaloSite, HaloSnapshot, HaloUser } from '../core/snapshot';
import { HttpClient, assertSecureUrl } from '../net/http';
import { HaloAuth } from './auth';
import { HaloApiError, haloErrorMessage } from './errors';
import { RollingLimiter } from './limiter';
import { siteFromRow } from './normalise';
import { Query, agentsFromRows, completeRoles, readCreated, readCreatedAgents, readDetails, readNameLists, readSnapshot, usersFromRows } from './reader';
import { HaloCounters, Log, SendResult, Tally, Transport } from './transport';
import { BatchResult, Landed, WriteKind, postBatch } from './writer';

/** The mapping's `halo:` section with references resolved: clientSecret is plaintext, never logged nor put in a message. */
export interface HaloClientOptions extends HaloConnection {
  http: HttpClient;
  /** JSON file persisting the limiter's window, so that back-to-back runs share it. */
  limiterStatePath?: string;
  /** Waits between retries when Halo gives no Retry-After (DESIGN §2a). */
  backoffMs?: number[];
  /** Per-request timeout (default 60 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
  log?: Log;
}

export class HaloClient {
  readonly pageSize: number;
  readonly batchSize: number;
  private readonly url: string;
  private readonly transport: Transport;
  private readonly auth: HaloAuth;

  constructor(opts: HaloClientOptions) {
    this.url = opts.url.replace(/\/+$/, '');
    assertSecureUrl(this.url, 'halo.url');
    if (opts.authUrl) assertSecureUrl(opts.authUrl, 'halo.authUrl');
    this.pageSize = positive(opts.pageSize ?? 1000, 'halo.pageSize');
    this.batchSize = positive(opts.batchSize ?? 100, 'halo.batchSize');
    const rate = opts.rateLimit ?? { requests: 300, windowSeconds: 300 };
    const limiter = new RollingLimiter({ ...rate, statePath: opts.limiterStatePath, log: opts.log });
    this.transport = new Transport({ http: opts.http, limiter, backoffMs: opts.backoffMs, timeoutMs: opts.timeoutMs, signal: opts.signal, log: opts.log });
    this.auth = new HaloAuth(this.transport, {
      url: this.url,
      authUrl: opts.authUrl?.replace(/\/+$/, ''),
      tenant: opts.tenant,
      clientId: opts.clientId,
      clientSecret: opts.clientSecret,
      scope: opts.scope ?? 'all',
      log: opts.log,
    });
  }

  /** Requests sent so far (token and discovery included), and how they went. */
  get counters(): Readonly<HaloCounters> {
    return this.transport.counters;
  }

  get requestCount(): number {
    return this.transport.counters.requests;
  }

  /** The list reads a plan needs, as one snapshot. Throws rather than return a partial one. */
  readSnapshot(needs: HaloNeeds): Promise<HaloSnapshot> {
    return readSnapshot(this.api, needs, this.pageSize);
  }

  /** The lists of names only (sites, clients, roles, teams, CABs), for `validate --live`. */
  readNames(needs: HaloNeeds): Promise<HaloSnapshot> {
    return readNameLists(this.api, needs, this.pageSize);
  }

  /** Detail reads for records whose list rows lacked what the plan needs; merges in place. */
  readDetails(snapshot: HaloSnapshot, ids: { users: number[]; agents: number[] }, needs: HaloNeeds, onRead?: (done: number) => void): Promise<void> {
    return readDetails(this.api, snapshot, ids, needs, onRead);
  }

  /** Before writing whole role sets: the roles of these records that the snapshot's filtered reads did not cover. */
  completeRoles(snapshot: HaloSnapshot, kind: 'agent' | 'user', ids: number[]): Promise<number> {
    return completeRoles(this.api, snapshot, kind, ids, this.pageSize);
  }

  /**
   * Records of `kind` that Halo holds now and `snapshot` did not: what an apply created, read in
   * bulk (newest first for users and sites, the one agent list for agents), never one GET each.
   */
  async readCreated(kind: 'user' | 'agent' | 'site', snapshot: HaloSnapshot, want: number, needs: HaloNeeds): Promise<{ records: Array<HaloUser | HaloAgent | HaloSite>; requests: number }> {
    if (kind === 'agent') {
      const { rows, requests } = await readCreatedAgents(this.api, new Set(snapshot.agents.map((a) => a.id)), this.pageSize);
      return { records: agentsFromRows(rows, snapshot, needs), requests };
    }
    const known = new Set((kind === 'user' ? snapshot.users : snapshot.sites).map((r) => r.id));
    const { rows, requests } = await readCreated(this.api, kind, known, want, this.pageSize);
    return { records: kind === 'user' ? usersFromRows(rows, snapshot, needs) : rows.map(siteFromRow), requests };
  }

  /** One POST of up to batchSize records; a per-record result in order. Never resends a create Halo may have saved. */
  postBatch(kind: WriteKind, bodies: Array<Record<string, unknown>>, landed?: Landed): Promise<BatchResult[]> {
    return postBatch(this.api, kind, bodies, landed);
  }

  /**
   * For "Test Connections": whether the API agent may read a list, by reading its smallest page.
   * Null when it may; otherwise Halo's answer (a 403 is a missing permission, not an outage).
   */
  async canRead(resource: 'Agent' | 'Users' | 'Site' | 'Client' | 'Team' | 'CAB' | 'Roles' | 'UserRoles'): Promise<HaloApiError | null> {
    const paged = resource === 'Users' || resource === 'Site' || resource === 'Client';
    try {
      await this.api.get(`/${resource}`, paged ? { pageinate: true, page_size: 1, page_no: 1 } : {}, { requests: 0 });
      return null;
    } catch (e) {
      if (e instanceof HaloApiError) return e;
      throw e;
    }
  }

  /** For "Test Connections": the agent the API application logs in as, and the granted scope. */
  async whoAmI(): Promise<{ id: number; name: string; scope: string }> {
    const me = (await this.api.get('/Agent/me', {}, { requests: 0 })) as { id?: unknown; name?: unknown } | undefined;
    return { id: Number(me?.id), name: String(me?.name ?? ''), scope: this.auth.grantedScope };
  }

  private readonly api = {
    get: async (path: string, query: Query, tally: Tally): Promise<unknown> => {
      const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();
      const res = await this.send('GET', path, qs, undefined, true, tally);
      if (res.status >= 200 && res.status < 300) return res.json;
      throw new HaloApiError(`GET /api${path}`, res.status, haloErrorMessage(res.text));
    },
    post: (path: string, body: unknown[], idempotent: boolean): Promise<SendResult> => this.send('POST', path, '', JSON.stringify(body), idempotent),
  };

  private send(method: 'GET' | 'POST', path: string, qs: string, body: string | undefined, idempotent: boolean, tally?: Tally): Promise<SendResult> {
    return this.transport.send({
      method,
      url: `${this.url}/api${path}${qs ? `?${qs}` : ''}`,
      what: `${method} /api${path}`,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body,
      idempotent,
      auth: this.auth,
      tally,
    });
  }
}

function positive(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 1) throw new Error(`${what} must be a whole number of at least 1`);
  return n;
}
