// PATCH (RFC 7644 §3.5.2) as IdPs send it. Operations on attributes go through the scim-patch
// library, which already takes capitalised ops, valuePaths, and Entra's path-less "replace
// multiple" object with dotted and URN keys (scim.md §4); what it would keep wrong ("False" as a
// string) is normalised again by resources.ts after it. Group membership operations never go
// through it: they become inserts and deletes of the store's member rows, so a 10 000-member
// group is not rewritten for one added member, and every removal form IdPs use is read the same.
import { scimPatch, ScimPatchOperation } from 'scim-patch';
import { badRequest, ScimError } from './errors';
import { keyOf, matches, parseFilter } from './filter';
import { Json, Member, membersIn } from './resources';

export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
/** More operations than any IdP sends in one request: a hostile list is refused whole. */
const MAX_OPERATIONS = 1000;

export interface Operation {
  op: 'add' | 'replace' | 'remove';
  path?: string;
  value?: unknown;
}

/** What a membership operation does to the store's rows. */
export type MemberChange = { kind: 'add'; members: Member[] } | { kind: 'remove'; ids: string[] } | { kind: 'removeWhere'; filter: string } | { kind: 'removeAll' } | { kind: 'set'; members: Member[] };

/**
 * The PatchOp body's operations. `schemas` is not insisted on (some clients leave it out), but
 * when present it must be the PatchOp URN; `op` is read in any case ("Replace", "Add").
 */
export function operationsOf(body: unknown): Operation[] {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('invalidSyntax', 'a PATCH body must be a JSON object');
  const b = body as Json;
  const schemas = b[keyOf(b, 'schemas') ?? 'schemas'];
  if (schemas !== undefined && !(Array.isArray(schemas) && schemas.some((s) => typeof s === 'string' && s.toLowerCase() === PATCH_SCHEMA.toLowerCase()))) {
    throw badRequest('invalidSyntax', `a PATCH body's schemas must be ["${PATCH_SCHEMA}"]`);
  }
  const ops = b[keyOf(b, 'Operations') ?? 'Operations'];
  if (!Array.isArray(ops) || ops.length === 0) throw badRequest('invalidSyntax', 'a PATCH body needs a non-empty "Operations" list');
  if (ops.length > MAX_OPERATIONS) throw new ScimError(413, 'tooMany', `a PATCH body may carry at most ${MAX_OPERATIONS} operations`);
  return ops.map((raw, i) => {
    const o = raw && typeof raw === 'object' ? (raw as Json) : {};
    const op = String(o[keyOf(o, 'op') ?? 'op'] ?? '').toLowerCase();
    if (op !== 'add' && op !== 'replace' && op !== 'remove') throw badRequest('invalidSyntax', `operation ${i + 1}: op must be add, replace or remove`);
    const pathKey = keyOf(o, 'path');
    const path = pathKey === undefined ? undefined : o[pathKey];
    if (path !== undefined && (typeof path !== 'string' || !path.trim())) throw badRequest('invalidPath', `operation ${i + 1}: path must be a non-empty string`);
    const valueKey = keyOf(o, 'value');
    const value = valueKey === undefined ? undefined : o[valueKey];
    if (op !== 'remove' && value === undefined) throw badRequest('invalidValue', `operation ${i + 1}: ${op} needs a value`);
    if (op !== 'remove' && path === undefined && (!value || typeof value !== 'object' || Array.isArray(value))) throw badRequest('invalidValue', `operation ${i + 1}: ${op} without a path needs an object value`);
    return { op, path: path?.trim(), value };
  });
}

/**
 * One role of Entra's AppRoleAssignmentsComplex PATCH, whose `value` is the role JSON-encoded
 * (`{"id":…,"value":"25","displayName":"Role1234"}`), as the schema's {value, display}: the
 * form its POST sends (scim.md §2.2 item 9). Anything else is left as sent.
 */
function decodedRole(e: unknown): unknown {
  if (!e || typeof e !== 'object' || Array.isArray(e)) return e;
  const out = { ...(e as Json) };
  const k = keyOf(out, 'value');
  const text = k === undefined ? undefined : out[k];
  if (typeof text !== 'string' || !text.trim().startsWith('{')) return e;
  let role: Json;
  try {
    role = JSON.parse(text) as Json;
  } catch {
    return e;
  }
  if (!role || typeof role !== 'object' || (typeof role.value !== 'string' && typeof role.value !== 'number')) return e;
  delete out[k as string];
  const display = typeof role.displayName === 'string' ? role.displayName : role.display;
  return { ...out, value: String(role.value), ...(typeof display === 'string' ? { display } : {}) };
}

/**
 * What IdPs send, brought to what scim-patch and the schema take:
 *   - Entra's AppRole PATCH: `value` a JSON-encoded string, or roles whose values are (§2.2 item 9);
 *   - `roles[primary eq "True"].value` (SingleAppRoleAssignment): a quoted boolean matches no
 *     element, so scim-patch added a second primary role instead of replacing the first;
 *   - a manager as a bare id or an array of one (item 5);
 *   - an empty string, with a path or as a key of a path-less replace (§2.3), clears the attribute.
 */
function normalise(sent: Operation): Operation[] {
  const op = sent.path === undefined ? sent : { ...sent, path: sent.path.replace(/\b(primary\s+(?:eq|ne)\s+)"(true|false)"/gi, (_, left: string, b: string) => `${left}${b.toLowerCase()}`) };
  const path = op.path ?? '';
  if (/^roles$/i.test(path) && op.op !== 'remove') {
    let value = op.value;
    if (typeof value === 'string') {
      try {
        value = JSON.parse(value);
      } catch {
        return [op];
      }
    }
    return [{ ...op, value: Array.isArray(value) ? value.map(decodedRole) : decodedRole(value) }];
  }
  if (/(^|:)manager$/i.test(path) && op.op !== 'remove') {
    const first = Array.isArray(op.value) ? op.value[0] : op.value;
    const id = typeof first === 'string' ? first : first && typeof first === 'object' ? (first as Json).value : undefined;
    // An empty manager is a removal (Entra clears a manager that way).
    return [typeof id === 'string' && id ? { ...op, value: { value: id } } : { op: 'remove', path }];
  }
  // An empty string clears the attribute (the gallery checks send these).
  if (op.op !== 'remove' && op.path && op.value === '') return [{ op: 'remove', path }];
  if (op.op !== 'remove' && op.path === undefined && op.value && typeof op.value === 'object' && !Array.isArray(op.value)) {
    const value = { ...(op.value as Json) };
    const cleared = Object.keys(value).filter((k) => value[k] === '');
    if (!cleared.length) return [op];
    for (const k of cleared) delete value[k];
    return [...(Object.keys(value).length ? [{ ...op, value }] : []), ...cleared.map((k): Operation => ({ op: 'remove', path: k }))];
  }
  return [op];
}

/**
 * A path-less add/replace whose value has keys that are paths (`name.givenName`,
 * `emails[type eq "work"].value`, `urn:…:User:employeeNumber`: Entra's "replace multiple") is
 * one operation per such key, so each is read as the path it is.
 */
function expand(op: Operation): Operation[] {
  if (op.path !== undefined || op.op === 'remove' || !op.value || typeof op.value !== 'object' || Array.isArray(op.value)) return [op];
  const plain: Json = {};
  const out: Operation[] = [];
  for (const [k, v] of Object.entries(op.value as Json)) {
    if (/[.[:]/.test(k)) out.push({ op: op.op, path: k, value: v });
    else plain[k] = v;
  }
  return Object.keys(plain).length ? [{ ...op, value: plain }, ...out] : out;
}

/** Applies attribute operations to a resource (as the client sees it, without server-owned parts). */
export function patchResource(resource: Json, ops: Operation[]): Json {
  let doc = structuredClone(resource) as Json;
  for (const op of ops.flatMap(expand).flatMap(normalise)) {
    try {
      doc = scimPatch(doc as never, [op as ScimPatchOperation], { mutateDocument: true, treatMissingAsAdd: true }) as unknown as Json;
    } catch (e) {
      const name = (e as Error).constructor?.name ?? '';
      // Removing what is not there leaves the resource as the client wants it.
      if (op.op === 'remove' && /NoTarget|FilterOnEmptyArray|FilterArrayTargetNotFound/.test(name)) continue;
      throw badRequest(/NoTarget/.test(name) ? 'noTarget' : 'invalidPath', `${op.op} ${op.path ?? '(no path)'}: ${(e as Error).message}`);
    }
  }
  return doc;
}

const MEMBERS_PATH = /^members(\[(.*)\])?$/is;

/**
 * A group PATCH split into membership changes (in order) and the other operations. Path-less
 * add/replace objects (Okta's `{id, displayName}`, a `members` key) are split the same way.
 */
export function splitGroupOperations(ops: Operation[]): { members: MemberChange[]; others: Operation[] } {
  const members: MemberChange[] = [];
  const others: Operation[] = [];
  for (const op of ops) {
    const m = op.path === undefined ? null : MEMBERS_PATH.exec(op.path);
    if (op.path === undefined) {
      const value = { ...(op.value as Json) };
      const k = keyOf(value, 'members');
      if (k !== undefined) {
        members.push(op.op === 'add' ? { kind: 'add', members: membersIn(value[k]) } : { kind: 'set', members: membersIn(value[k]) });
        delete value[k];
      }
      const idKey = keyOf(value, 'id');
      if (idKey !== undefined) delete value[idKey]; // the id is the bridge's, never the client's to set
      if (Object.keys(value).length) others.push({ ...op, value });
    } else if (m) {
      if (m[2] !== undefined) {
        if (op.op !== 'remove') throw badRequest('invalidPath', `${op.op} ${op.path}: only remove takes a member filter`);
        parseFilter(m[2]);
        members.push({ kind: 'removeWhere', filter: m[2] });
      } else if (op.op === 'remove') {
        // Entra's removal carries the members to remove; without a value it means every member.
        members.push(op.value === undefined ? { kind: 'removeAll' } : { kind: 'remove', ids: membersIn(op.value).map((x) => x.value) });
      } else {
        members.push(op.op === 'add' ? { kind: 'add', members: membersIn(op.value) } : { kind: 'set', members: membersIn(op.value) });
      }
    } else if (/^members\./i.test(op.path)) {
      throw badRequest('invalidPath', `${op.op} ${op.path}: members are changed as a whole (members, members[value eq "…"])`);
    } else {
      others.push(op);
    }
  }
  return { members, others };
}

/** The member ids a `members[…]` filter selects among `current`. */
export function selectMembers(current: readonly Member[], filter: string): string[] {
  const f = parseFilter(filter);
  return current.filter((m) => matches(m as unknown as Json, f)).map((m) => m.value);
}
