// GET /groups, /groups/{id}, /groups/{id}/members and /groups/{id}/transitiveMembers.
// Documented: transitiveMembers is a flat list mixing users, groups and devices, each with its
// @odata.type; it pages like any collection; $select applies to every member type.
// Assumed: directory order of members (breadth first through nested groups).
import type { GraphGroup } from '../state';
import type { Reply } from './context';
import { badRequest, GraphError, pageSize, parseFilter, selected } from './odata';
import { canonicalProperty, defaultProperties, GROUP_DEFAULT_PROPERTIES, ObjectKind, ODATA_TYPE, project } from './properties';
import { GROUP_READ, GraphRequest, offsetOf, page, requireRole, wantsCount } from './request';
import { notFound } from './users';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const FILTERABLE = ['id', 'displayName', 'mail', 'mailNickname', 'mailEnabled', 'securityEnabled'];

/** What a group looks like on the wire: the simulator stores only id, name and members. */
export function groupRecord(g: GraphGroup): Record<string, unknown> {
  const out: Record<string, unknown> = { securityEnabled: true, mailEnabled: false, groupTypes: [], mailNickname: g.displayName.replace(/[^A-Za-z0-9]/g, ''), ...g };
  delete out.members; // a relationship, never a property
  return out;
}

export function listGroups(r: GraphRequest): Reply {
  requireRole(r, GROUP_READ);
  const size = pageSize(r.query);
  const props = selected(r.query, 'group', GROUP_DEFAULT_PROPERTIES);
  const filter = parseFilter(r.query.get('$filter'), 'group', FILTERABLE);
  const count = wantsCount(r);
  const offset = offsetOf(r, 'groups');
  const all = r.tenant.data.groups.map(groupRecord).filter((g) => !filter || filter(g));
  const context = r.query.has('$select') ? `groups(${props.join(',')})` : 'groups';
  return { status: 200, body: page(r, 'groups', context, all, offset, size, (g) => project('group', g, props), count ? all.length : undefined) };
}

export function getGroup(r: GraphRequest, id: string): Reply {
  requireRole(r, GROUP_READ);
  const g = mustGroup(r, id);
  const props = selected(r.query, 'group', GROUP_DEFAULT_PROPERTIES);
  return { status: 200, body: { '@odata.context': `${r.base}/$metadata#groups/$entity`, ...project('group', groupRecord(g), props) } };
}

export function listMembers(r: GraphRequest, id: string, transitive: boolean): Reply {
  requireRole(r, GROUP_READ);
  const g = mustGroup(r, id);
  if (r.query.has('$filter') || r.query.has('$search')) {
    // Filtering members needs advanced queries (ConsistencyLevel: eventual + $count), not simulated.
    throw new GraphError(400, 'Request_UnsupportedQuery', 'Unsupported Query.');
  }
  const size = pageSize(r.query);
  const select = memberSelect(r);
  const count = wantsCount(r);
  const route = `${transitive ? 'transitiveMembers' : 'members'}:${g.id}`;
  const offset = offsetOf(r, route);
  const ids = transitive ? r.tenant.transitiveMembers(g.id) : g.members.filter((m) => r.tenant.kindOf(m));
  return { status: 200, body: page(r, route, 'directoryObjects', ids, offset, size, (m) => memberOut(r, m, select), count ? ids.length : undefined) };
}

/** $select over mixed member types: a name must exist on at least one of them. */
function memberSelect(r: GraphRequest): string[] | undefined {
  const raw = r.query.get('$select');
  if (raw === null) return undefined;
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) {
    if (!(['user', 'group', 'device'] as ObjectKind[]).some((k) => canonicalProperty(k, n, k === 'user' ? r.tenant.extraUserProperties() : []))) {
      throw badRequest(`Could not find a property named '${n}' on type 'microsoft.graph.directoryObject'.`);
    }
  }
  return names;
}

function memberOut(r: GraphRequest, id: string, select: string[] | undefined): Record<string, unknown> {
  const kind = r.tenant.kindOf(id)!;
  const record = kind === 'group' ? groupRecord(r.tenant.group(id)!) : r.tenant.object(id)!;
  // Each member gets the selected properties its type has; @odata.type always comes along.
  const props = select ? select.map((n) => canonicalProperty(kind, n, kind === 'user' ? r.tenant.extraUserProperties() : [])).filter((p): p is string => !!p) : defaultProperties(kind);
  return { '@odata.type': ODATA_TYPE[kind], ...project(kind, record, props) };
}

function mustGroup(r: GraphRequest, id: string): GraphGroup {
  if (!GUID.test(id)) throw badRequest(`Invalid object identifier '${id}'.`);
  const g = r.tenant.group(id);
  if (!g) throw notFound(id);
  return g;
}
