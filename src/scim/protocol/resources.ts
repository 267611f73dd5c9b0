// What an IdP sends, made into what the bridge keeps: the SCIM library (scimmy) checks and coerces
// each resource against RFC 7643's User, Enterprise User and Group schemas, after this module has
// normalised what IdPs really send and the library would refuse (scim.md §2, §3):
//   - "True"/"False" as strings for booleans (Entra's disable, OneLogin's templates) [V];
//   - nulls (Entra's older example) [V]; a manager as a string, {value} or [{value,$ref}] [V3];
//   - group members as bare ids (the reference tests) [V]; an enterprise URN in another case [V];
//   - attributes of the IdP's own extensions (`urn:…:extension:CustomExtensionName:2.0:User:Attr`,
//     not listed in `schemas`) [V], kept beside the checked resource as sent.
// Server-owned attributes (id, meta) and what must never be stored (password) are dropped.
import SCIMMY from 'scimmy';
import { badRequest } from './errors';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

let declared = false;
/** The library keeps its schemas in one registry; the bridge declares them once. */
export function scimmy(): typeof SCIMMY {
  if (!declared) {
    SCIMMY.Resources.declare(SCIMMY.Resources.User).extend(SCIMMY.Schemas.EnterpriseUser, false);
    SCIMMY.Resources.declare(SCIMMY.Resources.Group);
    // scimmy 1.3.5 gives roles.type and x509Certificates.type an empty canonicalValues list, which
    // refuses every type; RFC 7643 §4.1.2 names none, and Entra's AppRole roles carry
    // "type":"WindowsAzureActiveDirectoryRole" (scim.md §2.2 item 9).
    for (const a of ['roles.type', 'x509Certificates.type']) SCIMMY.Schemas.User.definition.attribute(a).config.canonicalValues = false;
    declared = true;
  }
  return SCIMMY;
}

export type Json = Record<string, unknown>;

/** A user as kept: the checked resource (no id, no meta) and the extension attributes as sent. */
export interface UserIn {
  resource: Json;
  userName: string;
  externalId: string | null;
  active: boolean;
}

export interface GroupIn {
  resource: Json;
  displayName: string;
  externalId: string | null;
  /** Members as sent, or undefined when the request leaves them out. */
  members: Member[] | undefined;
}

export interface Member {
  value: string;
  display?: string;
  type?: string;
}

const SERVER_OWNED = new Set(['id', 'meta', 'password', 'groups']);
const CORE_OR_ENTERPRISE = /^urn:ietf:params:scim:schemas:(core:2\.0:(user|group)|extension:enterprise:2\.0:user)$/i;

function asObject(body: unknown, what: string): Json {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('invalidSyntax', `${what} must be a JSON object`);
  return body as Json;
}

/** Deep copy without nulls, with string booleans where RFC 7643 has booleans (active, primary). */
function clean(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== null).map((v) => clean(v));
  if (value && typeof value === 'object') {
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === null || v === undefined) continue;
      out[k] = clean(v, k);
    }
    return out;
  }
  if (typeof value === 'string' && /^(active|primary)$/i.test(key) && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  return value;
}

/** The enterprise manager as {value}: from a string, {value} or [{value,$ref}]; undefined clears it. */
function manager(v: unknown): Json | undefined {
  const first = Array.isArray(v) ? v[0] : v;
  const id = typeof first === 'string' ? first : first && typeof first === 'object' ? (first as Json).value : undefined;
  return typeof id === 'string' && id.trim() ? { value: id } : undefined;
}

/**
 * Splits off extension attributes the schemas do not know (nested or flattened URN keys) and
 * brings the enterprise extension under its own URN whatever the case it came in.
 */
function separate(body: Json): { known: Json; extensions: Json } {
  const known: Json = {};
  const extensions: Json = {};
  for (const [k, v] of Object.entries(body)) {
    if (SERVER_OWNED.has(k.toLowerCase())) continue;
    if (!/^urn:/i.test(k)) {
      known[k] = v;
      continue;
    }
    if (k.toLowerCase() === ENTERPRISE.toLowerCase()) {
      known[ENTERPRISE] = { ...((known[ENTERPRISE] as Json) ?? {}), ...asObject(v, ENTERPRISE) };
    } else if (k.toLowerCase().startsWith(`${ENTERPRISE.toLowerCase()}:`)) {
      known[ENTERPRISE] = { ...((known[ENTERPRISE] as Json) ?? {}), [k.slice(ENTERPRISE.length + 1)]: v };
    } else if (CORE_OR_ENTERPRISE.test(k)) {
      Object.assign(known, asObject(v, k));
    } else if (v && typeof v === 'object' && !Array.isArray(v)) {
      extensions[k] = { ...((extensions[k] as Json) ?? {}), ...(v as Json) };
    } else {
      // `urn:…:CustomExtensionName:2.0:User:Attr`: the schema is everything before the last colon.
      const i = k.lastIndexOf(':');
      const urn = k.slice(0, i);
      if (CORE_OR_ENTERPRISE.test(urn)) known[k.slice(i + 1)] = v;
      else extensions[urn] = { ...((extensions[urn] as Json) ?? {}), [k.slice(i + 1)]: v };
    }
  }
  return { known, extensions };
}

function coerce(kind: 'User' | 'Group', body: Json): Json {
  const lib = scimmy();
  try {
    const schema = kind === 'User' ? lib.Schemas.User : lib.Schemas.Group;
    const out = JSON.parse(JSON.stringify(new schema(body, 'in'))) as Json;
    delete out.meta;
    return out;
  } catch (e) {
    throw badRequest('invalidValue', `${kind}: ${(e as Error).message}`);
  }
}

/**
 * A resource's `schemas`, when sent, must name the resource's own core schema: a Group's body at
 * /Users (or a made-up schema) is refused. Other URNs listed are the IdP's: kept when their
 * attributes came along, else dropped (Entra lists the enterprise URN with or without its attributes).
 */
function checkSchemas(body: Json, core: string): void {
  const k = Object.keys(body).find((key) => key.toLowerCase() === 'schemas');
  if (k === undefined) return;
  const v = body[k];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw badRequest('invalidSyntax', 'schemas must be a list of schema URNs');
  if (!v.some((x: string) => x.toLowerCase() === core.toLowerCase())) throw badRequest('invalidValue', `schemas must include ${core} (got ${v.map((x) => `"${String(x).slice(0, 100)}"`).join(', ') || 'none'})`);
}

export function userIn(body: unknown): UserIn {
  checkSchemas(asObject(body, 'the user'), USER_SCHEMA);
  const { known, extensions } = separate(clean(asObject(body, 'the user')) as Json);
  const ent = known[ENTERPRISE] as Json | undefined;
  if (ent && 'manager' in ent) {
    const m = manager(ent.manager);
    if (m) ent.manager = m;
    else delete ent.manager;
  }
  known.schemas = [USER_SCHEMA, ...(ent ? [ENTERPRISE] : [])];
  const resource = coerce('User', known);
  const userName = typeof resource.userName === 'string' ? resource.userName.trim() : '';
  if (!userName) throw badRequest('invalidValue', 'User: userName must not be empty');
  for (const [urn, attrs] of Object.entries(extensions)) resource[urn] = attrs;
  if (Object.keys(extensions).length) resource.schemas = [...(resource.schemas as string[]), ...Object.keys(extensions)];
  return {
    resource,
    userName,
    externalId: typeof resource.externalId === 'string' && resource.externalId ? resource.externalId : null,
    // Not asserted is not "disabled": a user is active unless the IdP says otherwise.
    active: resource.active !== false,
  };
}

export function membersIn(value: unknown): Member[] {
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).map((m) => {
    if (typeof m === 'string' && m) return { value: m };
    const o = m && typeof m === 'object' ? (m as Json) : {};
    if (typeof o.value !== 'string' || !o.value) throw badRequest('invalidValue', 'Group: each member needs a value (the member\'s id)');
    const display = typeof o.display === 'string' ? o.display : typeof o.displayName === 'string' ? o.displayName : undefined;
    return { value: o.value, ...(display ? { display } : {}), ...(typeof o.type === 'string' ? { type: o.type } : {}) };
  });
}

export function groupIn(body: unknown): GroupIn {
  checkSchemas(asObject(body, 'the group'), GROUP_SCHEMA);
  const raw = clean(asObject(body, 'the group')) as Json;
  const membersKey = Object.keys(raw).find((k) => k.toLowerCase() === 'members');
  const members = membersKey === undefined ? undefined : membersIn(raw[membersKey]);
  if (membersKey !== undefined) delete raw[membersKey];
  const { known, extensions } = separate(raw);
  known.schemas = [GROUP_SCHEMA];
  const resource = coerce('Group', known);
  const displayName = typeof resource.displayName === 'string' ? resource.displayName.trim() : '';
  if (!displayName) throw badRequest('invalidValue', 'Group: displayName must not be empty');
  for (const [urn, attrs] of Object.entries(extensions)) resource[urn] = attrs;
  return { resource, displayName, externalId: typeof resource.externalId === 'string' && resource.externalId ? resource.externalId : null, members };
}
