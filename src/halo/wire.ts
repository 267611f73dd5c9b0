// Every choice about Halo's wire format that no source settles (halo-api.md marks them [U] or
// [I]) lives here, each with its evidence, and is listed in the README from WIRE_ASSUMPTIONS.

export interface WireAssumption {
  topic: string;
  choice: string;
  evidence: string;
}

/**
 * Agent licence. SPEC `Uname.licence_type` is an int (DB `UlicenseType`, default 0); the mapping of
 * values to named/concurrent was not found. 0 is taken as named: it is the column default and the
 * value on the ordinary agent in the sample record, and named licences are Halo's usual kind.
 */
export const LICENCE_TYPES: Readonly<Record<'named' | 'concurrent', number>> = { named: 0, concurrent: 1 };

export function licenceToWire(licence: unknown): number | undefined {
  if (licence === 'named' || licence === 'concurrent') return LICENCE_TYPES[licence];
  if (typeof licence === 'number' && Number.isInteger(licence)) return licence;
  if (typeof licence === 'string' && /^\d+$/.test(licence)) return Number(licence);
  return undefined;
}

/** A wire value the table does not name stays visible as its number, e.g. '2'. */
export function licenceFromWire(value: unknown): string | undefined {
  if (typeof value !== 'number') return undefined;
  const name = (Object.keys(LICENCE_TYPES) as Array<keyof typeof LICENCE_TYPES>).find((k) => LICENCE_TYPES[k] === value);
  return name ?? String(value);
}

/**
 * Custom fields are written inside the record's POST as `customfields: [{name, value}]`. It fits
 * SPEC `CustomField` (id, name, value…), but no source shows it for users or agents [I/U]; by name
 * because the mapping names fields by their CF name and ids differ between instances.
 */
export function customFieldsBody(values: Array<[string, unknown]>): Array<{ name: string; value: unknown }> {
  return values.map(([name, value]) => ({ name, value }));
}

export function isCustomField(name: string): boolean {
  return /^CF/.test(name);
}

/**
 * CabMember `type` values are [U]. Members are read by which of agent_id/user_id is set, so only
 * writes depend on this: 1 for agents, 2 for users, leaving 0 as the int column's "unset" default.
 */
export const CAB_MEMBER_TYPE: Readonly<Record<'agent' | 'user', number>> = { agent: 1, user: 2 };

/**
 * Role and membership writes send the full resulting set in `roles` (agents: NHD_Roles by GUID
 * `id`; users: UserRoles by integer `id`), `teams` (UnameSection by team_id) and CAB `members`,
 * never `add_roles`. Whether `roles` replaces and `add_roles` appends is [U]; the full set is right
 * if `roles` replaces (as the property a GET returns and a form posts back) and still grants every
 * add if it appends, while `add_roles` alone could never remove. Unmanaged memberships are kept
 * by reading them first and posting them back.
 */
export const MEMBERSHIP_WRITE = 'full-set' as const;

/**
 * List shapes. /Users, /Site, /Client are `{record_count, <plural>}` [V]; /Agent is a bare array [V].
 * /Roles, /UserRoles, /Team and /CAB have no paging in the SPEC and their shape is [U]
 * (HaloAPI probes for a `roles` key and falls back to the raw answer; panoramicdata assumes
 * `{teams, record_count}`). Both are accepted: a bare array, or an object with the expected key
 * (any case), or else an object whose only array property is the list.
 */
export function unwrapList(body: unknown, key: string): unknown[] | undefined {
  if (Array.isArray(body)) return body;
  if (!body || typeof body !== 'object') return undefined;
  const o = body as Record<string, unknown>;
  const exact = Object.keys(o).find((k) => k.toLowerCase() === key.toLowerCase());
  if (exact && Array.isArray(o[exact])) return o[exact] as unknown[];
  const arrays = Object.values(o).filter(Array.isArray);
  return arrays.length === 1 ? (arrays[0] as unknown[]) : undefined;
}

export const LIST_KEYS = { agents: 'agents', agentRoles: 'roles', userRoles: 'roles', teams: 'teams', cabs: 'cabs' } as const;

export const WIRE_ASSUMPTIONS: WireAssumption[] = [
  {
    topic: 'Agent licence_type values',
    choice: `named = ${LICENCE_TYPES.named}, concurrent = ${LICENCE_TYPES.concurrent}; other values are shown as their number and never written unless the mapping asks`,
    evidence: 'SPEC Uname.licence_type is an int and the DB column defaults to 0; no source maps values to licence kinds.',
  },
  {
    topic: 'Custom field write shape',
    choice: 'customfields: [{ name: "CF…", value }] inside the user or agent POST',
    evidence: 'Fits SPEC CustomField (id, name, value); records carry customfields[] on read; no source shows a write for users or agents.',
  },
  {
    topic: 'CAB member type values',
    choice: `agent = ${CAB_MEMBER_TYPE.agent}, user = ${CAB_MEMBER_TYPE.user}; members are read by agent_id/user_id, not by type`,
    evidence: 'SPEC CabMember has type (int), agent_id and user_id; the values of type are undocumented.',
  },
  {
    topic: 'roles vs add_roles (and teams, CAB members)',
    choice: 'Post the full resulting set in roles / teams / members, keeping memberships the mapping does not manage; never add_roles',
    evidence: 'SPEC has both roles and add_roles (NHD_Roles for agents, UserRoles for users); whether roles replaces is undocumented. A full set is correct if it replaces and still grants if it appends.',
  },
  {
    topic: 'List shapes of Roles, UserRoles, Team, CAB',
    choice: 'Accept a bare array or an object wrapping the list; no paging requested',
    evidence: 'SPEC declares no paging for them; /Agent (also unpaged) is a bare array; HaloAPI probes for a roles key; panoramicdata assumes {teams, record_count}.',
  },
  {
    topic: 'Batch rejection',
    choice: 'A 400 may have saved the valid records (or nothing): before creates from a rejected batch are sent again, one bulk re-read finds those that landed; the rest are split in halves until the bad records are isolated',
    evidence: 'No source shows whether a rejected batch saves anything; ModelState keys such as [0].id (n8n) name records within the request.',
  },
  {
    topic: 'POST answers',
    choice: 'Never relied on for the ids of a multi-record create: ids the answer does not name are learnt from one newest-first re-read (order=id, orderdesc=true) of what was created, matched as a plan matches',
    evidence: 'The newer document answers POST /Users, /Site, /Client with 201 and one object whatever the batch, and POST /Agent, /CAB with 200 and no declared body; one-element posts return the object (CIPP, HaloAPI E2E).',
  },
  {
    topic: 'Columns a row leaves out',
    choice: 'A key some rows carry is empty where missing (null fields are left out); a key no row carries is not provided, except a scalar column the newer document lists for that row; links, roles, teams and custom fields are never assumed empty',
    evidence: 'The newer document declares every list column nullable, and Halo may omit nulls; an older Halo (SPEC) has no azureoid or role_ids in Users_List at all.',
  },
  {
    topic: 'Role members in bulk',
    choice: "When rows carry no role data: one role= filtered list per managed role (agents by the role's id_int, users by the user role id); the roles of a record whose set is written are completed first",
    evidence: 'GET /Agent?role= "requires an int passed as a string" (newer document); GET /Users has role (int, undescribed); Uname_List has no roles and what includeroles adds is undocumented.',
  },
  {
    topic: 'Agent teams in the list',
    choice: 'include_membership_info=true on every agent list read',
    evidence: 'Uname_List has teams; the parameter says it "always" includes membership, so without it rows may lack it.',
  },
  {
    topic: 'Retry-After on 429',
    choice: 'Honoured when present (seconds, fractional allowed, or an HTTP date); otherwise back off 5, 10, 20, 40, 60 s',
    evidence: 'Some clients read Retry-After, no source shows Halo sending it; HaloAPI backs off from 5 s doubling to 60 s.',
  },
];
