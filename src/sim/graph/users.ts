// GET /users and GET /users/{id}.
// Documented: the 11 default properties, $select, $top 1..999, @odata.nextLink paging, $filter on
// accountEnabled/userType/id with eq, $expand=manager($select=…) on the list, $count with
// ConsistencyLevel: eventual.
// signInActivity needs AuditLog.Read.All (MGD resources/signinactivity.md), else 403.
// Assumed: a user without a manager carries no `manager` property when it is expanded.
import type { GraphUser } from '../state';
import type { Reply } from './context';
import { badRequest, expanded, Expand, GraphError, pageSize, parseFilter, selected } from './odata';
import { canonicalProperty, defaultProperties, ODATA_TYPE, project, USER_DEFAULT_PROPERTIES, USER_SINGLE_ONLY } from './properties';
import { AUDIT_READ, GraphRequest, offsetOf, page, requireRole, USER_READ, wantsCount } from './request';

const FILTERABLE = [
  'id',
  'accountEnabled',
  'userType',
  'displayName',
  'givenName',
  'surname',
  'mail',
  'mailNickname',
  'userPrincipalName',
  'jobTitle',
  'department',
  'companyName',
  'officeLocation',
  'city',
  'country',
  'state',
  'usageLocation',
  'employeeId',
  'employeeType',
  'onPremisesSamAccountName',
];

export function listUsers(r: GraphRequest): Reply {
  requireRole(r, USER_READ);
  const size = pageSize(r.query);
  const props = selected(r.query, 'user', USER_DEFAULT_PROPERTIES, r.tenant.extraUserProperties());
  const single = props.find((p) => USER_SINGLE_ONLY.has(p));
  // Documented as "supported only on the Get user API"; the error's form is the one reported in
  // microsoft-graph-explorer-v4#2748 (a SharePoint query exception), its wording assumed.
  if (single) throw new GraphError(400, '-1, Microsoft.SharePoint.Client.InvalidClientQueryException', `The expression for '${single}' is not valid on a collection of users.`);
  if (props.includes('signInActivity')) requireRole(r, AUDIT_READ);
  const expand = managerExpand(r);
  const filter = parseFilter(r.query.get('$filter'), 'user', FILTERABLE);
  const count = wantsCount(r);
  const offset = offsetOf(r, 'users');
  const all = filter ? r.tenant.data.users.filter(filter) : r.tenant.data.users;
  const context = r.query.has('$select') ? `users(${props.join(',')})` : 'users';
  return { status: 200, body: page(r, 'users', context, all, offset, size, (u) => userOut(r, u, props, expand), count ? all.length : undefined) };
}

export function getUser(r: GraphRequest, idOrUpn: string): Reply {
  requireRole(r, USER_READ);
  const lower = idOrUpn.toLowerCase();
  const user = r.tenant.user(idOrUpn) ?? r.tenant.data.users.find((u) => String(u.userPrincipalName ?? '').toLowerCase() === lower);
  if (!user) throw notFound(idOrUpn);
  const props = selected(r.query, 'user', USER_DEFAULT_PROPERTIES, r.tenant.extraUserProperties());
  if (props.includes('signInActivity')) requireRole(r, AUDIT_READ);
  const expand = managerExpand(r);
  return { status: 200, body: { '@odata.context': `${r.base}/$metadata#users/$entity`, ...userOut(r, user, props, expand) } };
}

/** `$expand=manager(…)`, its nested $select checked and cased like any other. */
function managerExpand(r: GraphRequest): Expand | undefined {
  const expand = expanded(r.query, ['manager']);
  if (!expand?.select) return expand;
  const select = expand.select.map((n) => {
    const p = canonicalProperty('user', n, r.tenant.extraUserProperties());
    if (!p) throw badRequest(`Could not find a property named '${n}' on type 'microsoft.graph.user'.`);
    return p;
  });
  return { ...expand, select };
}

function userOut(r: GraphRequest, u: GraphUser, props: string[], expand: Expand | undefined): Record<string, unknown> {
  const out = project('user', u, props);
  if (expand) {
    const managerId = r.tenant.managerOf(u.id);
    const manager = managerId ? r.tenant.user(managerId) : undefined;
    if (manager) {
      out.manager = { '@odata.type': ODATA_TYPE.user, ...project('user', manager, expand.select ?? defaultProperties('user')) };
    }
  }
  return out;
}

export function notFound(id: string): GraphError {
  return new GraphError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
}
