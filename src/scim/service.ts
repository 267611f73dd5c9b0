// The SCIM resource endpoints (RFC 7644 §3) over the store, for one authenticated connection:
// nothing here knows HTTP beyond status codes, and every call is synchronous from the parsed
// request to the committed write, so two requests never interleave inside one change.
import { badRequest, notFound, ScimError } from './protocol/errors';
import { describeFilter, Filter, indexedEquality, matches, parseFilter } from './protocol/filter';
import { listResponse, MAX_RESULTS, resourceTypes, schemas, serviceProviderConfig } from './protocol/discovery';
import { operationsOf, patchResource, selectMembers, splitGroupOperations } from './protocol/patch';
import { project, Projection, projectionOf, wants } from './protocol/projection';
import { groupIn, GROUP_SCHEMA, Json, userIn, USER_SCHEMA } from './protocol/resources';
import type { ScimStore, StoredGroup, StoredUser } from './store';

export interface ScimRequest {
  method: string;
  /** Path below the SCIM base, split: ['Users', '{id}']. */
  segments: string[];
  query: URLSearchParams;
  body: unknown;
  /** The SCIM base URL as the client reached it, for meta.location. */
  base: string;
}

export interface ScimAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** What the request did, for the audit line: no personal data. */
  summary: string;
  /** The SCIM id the request was about, when there is one. */
  id?: string;
  /** Whether the store changed (the syncer is told). */
  changed: boolean;
}

const read = (status: number, body: unknown, summary: string, id?: string): ScimAnswer => ({ status, body, summary, id, changed: false });
const wrote = (status: number, body: unknown, summary: string, id?: string): ScimAnswer => ({ status, body, summary, id, changed: true });

export class ScimService {
  constructor(private readonly store: ScimStore) {}

  handle(conn: string, r: ScimRequest): ScimAnswer {
    const [collection, id, extra] = r.segments;
    if (extra !== undefined) throw notFound(`no endpoint ${r.segments.join('/')}`);
    const kind = (collection ?? '').toLowerCase();
    if (kind === 'serviceproviderconfig' && !id) return this.discovery(r, 'ServiceProviderConfig', serviceProviderConfig(r.base));
    if (kind === 'schemas') return this.discoveryList(r, 'Schemas', schemas(r.base), id);
    if (kind === 'resourcetypes') return this.discoveryList(r, 'ResourceTypes', resourceTypes(r.base), id);
    if (kind === 'users') return this.users(conn, r, id);
    if (kind === 'groups') return this.groups(conn, r, id);
    if (kind === 'bulk') throw new ScimError(501, undefined, 'bulk operations are not supported (ServiceProviderConfig: bulk.supported false)');
    throw notFound(`no endpoint /${r.segments.join('/')}`);
  }

  private discovery(r: ScimRequest, what: string, body: Json): ScimAnswer {
    if (r.method !== 'GET') throw methodNotAllowed(r.method, what);
    return read(200, body, `read ${what}`);
  }

  private discoveryList(r: ScimRequest, what: string, items: Json[], id?: string): ScimAnswer {
    if (r.method !== 'GET') throw methodNotAllowed(r.method, what);
    if (id === undefined) return read(200, listResponse(items, items.length, 1), `read ${what}`);
    const item = items.find((s) => s.id === id);
    if (!item) throw notFound(`no ${what.replace(/s$/, '')} "${id}"`);
    return read(200, item, `read ${what}/${id}`);
  }

  // Users

  private userOut(conn: string, u: StoredUser, base: string, withGroups = true): Json {
    const groups = (withGroups ? this.store.groupsOf(conn, u.id) : []).map((g) => ({ value: g.id, display: g.displayName, $ref: `${base}/Groups/${g.id}`, type: 'direct' }));
    return {
      schemas: u.resource.schemas ?? [USER_SCHEMA],
      id: u.id,
      ...u.resource,
      ...(groups.length ? { groups } : {}),
      meta: { resourceType: 'User', created: u.created, lastModified: u.modified, location: `${base}/Users/${u.id}` },
    };
  }

  private users(conn: string, r: ScimRequest, id?: string): ScimAnswer {
    const projection = projectionOf(r.query.get('attributes'), r.query.get('excludedAttributes'));
    if (id === undefined) {
      if (r.method === 'GET') return this.queryUsers(conn, r, projection);
      if (r.method === 'POST') {
        const u = this.store.createUser(conn, userIn(r.body));
        return wrote(201, this.userOut(conn, u, r.base), 'create user', u.id);
      }
      throw methodNotAllowed(r.method, 'Users');
    }
    if (id === '.search' && r.method === 'POST') return this.search(conn, r, 'Users');
    const current = this.store.getUser(conn, id);
    if (!current) throw notFound(`no user has the id "${id}"`);
    switch (r.method) {
      case 'GET':
        return read(200, project(this.userOut(conn, current, r.base), projection), 'read user', id);
      case 'PUT': {
        const u = this.store.replaceUser(conn, id, userIn(r.body)) as StoredUser;
        return wrote(200, project(this.userOut(conn, u, r.base), projection), 'replace user', id);
      }
      case 'PATCH': {
        const ops = operationsOf(r.body);
        const patched = patchResource(current.resource, ops);
        const u = this.store.replaceUser(conn, id, userIn(patched)) as StoredUser;
        return wrote(200, project(this.userOut(conn, u, r.base), projection), `patch user: ${describeOperations(ops)}`, id);
      }
      case 'DELETE':
        this.store.deleteUser(conn, id);
        return wrote(204, undefined, 'delete user', id);
      default:
        throw methodNotAllowed(r.method, 'Users/{id}');
    }
  }

  private queryUsers(conn: string, r: ScimRequest, projection: Projection, filterText = r.query.get('filter')): ScimAnswer {
    const { startIndex, count } = paging(r.query);
    const filter = filterText ? parseFilter(filterText) : undefined;
    const eq = filter && indexedEquality(filter, ['userName', 'externalId', 'id']);
    if (!filter) {
      // A plain listing (Okta's imports, a remote plan) is one page of rows, not every user parsed.
      const page = this.store.userPage(conn, startIndex - 1, count).map((u) => project(this.userOut(conn, u, r.base, wants(projection, 'groups')), projection));
      return read(200, listResponse(page, this.store.userCount(conn), startIndex), 'query users');
    }
    const withGroups = wants(projection, 'groups') || /groups/i.test(filterText ?? '');
    const all = this.store.users(conn, eq).map((u) => this.userOut(conn, u, r.base, withGroups)).filter((u) => matches(u, filter));
    const total = all.length;
    const page = all.slice(startIndex - 1, startIndex - 1 + count);
    return read(200, listResponse(page.map((u) => project(u, projection)), total, startIndex), `query users where ${describeFilter(filter)}`);
  }

  // Groups

  private groupOut(conn: string, g: StoredGroup, base: string, withMembers: boolean): Json {
    const members = withMembers ? this.store.members(conn, g.id).map((m) => ({ ...m, $ref: `${base}/${m.type === 'Group' ? 'Groups' : 'Users'}/${m.value}` })) : undefined;
    return {
      schemas: [GROUP_SCHEMA],
      id: g.id,
      ...g.resource,
      ...(members ? { members } : {}),
      meta: { resourceType: 'Group', created: g.created, lastModified: g.modified, location: `${base}/Groups/${g.id}` },
    };
  }

  private groups(conn: string, r: ScimRequest, id?: string): ScimAnswer {
    const projection = projectionOf(r.query.get('attributes'), r.query.get('excludedAttributes'));
    const withMembers = wants(projection, 'members');
    if (id === undefined) {
      if (r.method === 'GET') return this.queryGroups(conn, r, projection);
      if (r.method === 'POST') {
        const g = this.store.createGroup(conn, groupIn(r.body));
        return wrote(201, this.groupOut(conn, g, r.base, true), 'create group', g.id);
      }
      throw methodNotAllowed(r.method, 'Groups');
    }
    if (id === '.search' && r.method === 'POST') return this.search(conn, r, 'Groups');
    const current = this.store.getGroup(conn, id);
    if (!current) throw notFound(`no group has the id "${id}"`);
    switch (r.method) {
      case 'GET':
        return read(200, project(this.groupOut(conn, current, r.base, withMembers), projection), 'read group', id);
      case 'PUT': {
        const g = this.store.replaceGroup(conn, id, groupIn(r.body)) as StoredGroup;
        return wrote(200, project(this.groupOut(conn, g, r.base, withMembers), projection), 'replace group', id);
      }
      case 'PATCH': {
        const ops = operationsOf(r.body);
        const { members, others } = splitGroupOperations(ops);
        const attrs = others.length ? groupIn({ ...patchResource({ schemas: [GROUP_SCHEMA], ...current.resource }, others) }) : undefined;
        const changes = members.map((c) => {
          switch (c.kind) {
            case 'add':
              return { add: c.members };
            case 'set':
              return { set: c.members };
            case 'remove':
              return { remove: c.ids };
            case 'removeAll':
              return { removeAll: true as const };
            case 'removeWhere':
              return { remove: selectMembers(this.store.members(conn, id), c.filter) };
          }
        });
        const g = this.store.patchGroup(conn, id, attrs, changes) as StoredGroup;
        const summary = `patch group: ${describeOperations(ops)}`;
        // Entra and Okta accept 204 for a group PATCH; members are not sent back unless asked for.
        if (!r.query.has('attributes')) return wrote(204, undefined, summary, id);
        return wrote(200, project(this.groupOut(conn, g, r.base, withMembers), projection), summary, id);
      }
      case 'DELETE':
        this.store.deleteGroup(conn, id);
        return wrote(204, undefined, 'delete group', id);
      default:
        throw methodNotAllowed(r.method, 'Groups/{id}');
    }
  }

  private queryGroups(conn: string, r: ScimRequest, projection: Projection, filterText = r.query.get('filter')): ScimAnswer {
    const { startIndex, count } = paging(r.query);
    const filter: Filter | undefined = filterText ? parseFilter(filterText) : undefined;
    const eq = filter && indexedEquality(filter, ['displayName', 'externalId', 'id']);
    const needMembers = wants(projection, 'members') || Boolean(filterText && /members/i.test(filterText));
    if (!filter) {
      const page = this.store.groupPage(conn, startIndex - 1, count).map((g) => project(this.groupOut(conn, g, r.base, needMembers), projection));
      return read(200, listResponse(page, this.store.counts(conn).groups, startIndex), 'query groups');
    }
    const matching = this.store.groups(conn, eq).map((g) => this.groupOut(conn, g, r.base, needMembers)).filter((g) => matches(g, filter));
    const total = matching.length;
    const page = matching.slice(startIndex - 1, startIndex - 1 + count);
    return read(200, listResponse(page.map((g) => project(g, projection)), total, startIndex), `query groups where ${describeFilter(filter)}`);
  }

  /** POST …/.search (RFC 7644 §3.4.3): the query in the body. */
  private search(conn: string, r: ScimRequest, what: 'Users' | 'Groups'): ScimAnswer {
    const b = (r.body && typeof r.body === 'object' ? r.body : {}) as Json;
    const query = new URLSearchParams();
    for (const k of ['startIndex', 'count']) if (b[k] !== undefined) query.set(k, String(b[k]));
    const list = (v: unknown) => (Array.isArray(v) ? v.join(',') : typeof v === 'string' ? v : undefined);
    const attributes = list(b.attributes);
    const excluded = list(b.excludedAttributes);
    if (attributes) query.set('attributes', attributes);
    if (excluded) query.set('excludedAttributes', excluded);
    if (typeof b.filter === 'string') query.set('filter', b.filter);
    const req = { ...r, method: 'GET', query };
    const projection = projectionOf(query.get('attributes'), query.get('excludedAttributes'));
    return what === 'Users' ? this.queryUsers(conn, req, projection) : this.queryGroups(conn, req, projection);
  }
}

/** The operations for the audit line: a value filter in a path may hold an address, so it stays out. */
function describeOperations(ops: ReadonlyArray<{ op: string; path?: string }>): string {
  return ops.map((o) => `${o.op} ${o.path?.replace(/\[.*?\]/gs, '[…]') ?? '(attributes)'}`).join(', ');
}

function methodNotAllowed(method: string, what: string): ScimError {
  return new ScimError(405, undefined, `${method} is not supported on ${what}`);
}

/** startIndex is 1-based (below 1 reads as 1); count is capped at maxResults (RFC 7644 §3.4.2.4). */
function paging(q: URLSearchParams): { startIndex: number; count: number } {
  const int = (name: string, fallback: number) => {
    const v = q.get(name);
    if (v === null || v === '') return fallback;
    if (!/^-?\d+$/.test(v.trim())) throw badRequest('invalidValue', `${name} must be an integer`);
    return Number(v);
  };
  return { startIndex: Math.max(1, int('startIndex', 1)), count: Math.min(MAX_RESULTS, Math.max(0, int('count', 100))) };
}
