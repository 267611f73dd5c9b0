// Reading Entra attributes and comparing Halo values: one place for "empty", indexing and case rules.
import type { FieldSpec } from './mapping';
import { fieldSources } from './needs';
import type { DirectoryUser } from './snapshot';

/** Null, undefined, "" and [] are all empty (DESIGN §2a). */
export function isEmpty(v: unknown): boolean {
  return v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
}

/** A parsed `attr` / `attr[n]` source; parsing once per distinct text keeps plan() linear in users. */
export interface Source {
  name: string;
  index: number | undefined;
}

const sources = new Map<string, Source>();
/** Bounds the memo when an editor re-plans on every keystroke of a new attribute name. */
const MEMO_LIMIT = 10_000;

/** `attr` / `attr[n]` parsed, for a caller reading one source of many users (readSource). */
export function parseSource(source: string): Source {
  let p = sources.get(source);
  if (p) return p;
  const m = /^([A-Za-z0-9_@.]+)(?:\[(\d+)\])?$/.exec(source);
  p = { name: m ? m[1] : source, index: m?.[2] !== undefined ? Number(m[2]) : undefined };
  if (sources.size >= MEMO_LIMIT) sources.clear();
  sources.set(source, p);
  return p;
}

/** `attr` or `attr[n]` of a directory user (`id` included). */
export function readAttribute(user: DirectoryUser, source: string): unknown {
  return readSource(user, parseSource(source));
}

/** readAttribute() of a parsed source. */
export function readSource(user: DirectoryUser, { name, index }: Source): unknown {
  let v: unknown = name === 'id' ? user.id : user.attrs[name];
  if (index !== undefined) v = Array.isArray(v) ? v[index] : undefined;
  else if (Array.isArray(v)) v = v.length ? v.join(', ') : null;
  return isEmpty(v) ? null : v;
}

export interface FieldValue {
  value: unknown;
  createOnly: boolean;
}

/** The value a Halo field should have for this identity: first non-empty source, else the default. */
export function evaluateField(spec: FieldSpec, user: DirectoryUser): FieldValue {
  return { value: fieldValue(spec, user), createOnly: isCreateOnly(spec) };
}

/** evaluateField's value alone: the planner asks for it for every field of every identity. */
export function fieldValue(spec: FieldSpec, user: DirectoryUser): unknown {
  // The short form, by far the commonest, needs no list of sources.
  if (typeof spec === 'string') return readAttribute(user, spec);
  let value: unknown = null;
  for (const source of fieldSources(spec)) {
    value = readAttribute(user, source);
    if (!isEmpty(value)) break;
  }
  const long = !Array.isArray(spec) ? spec : undefined;
  if (isEmpty(value) && long && long.default !== undefined) value = long.default;
  return isEmpty(value) ? null : value;
}

/** `when: create`: the field, default included, is written only on create. */
export function isCreateOnly(spec: FieldSpec): boolean {
  return typeof spec === 'object' && !Array.isArray(spec) && spec.when === 'create';
}

const caseInsensitive = new Map<string, boolean>();

/** Fields holding email addresses or sign-in names compare case-insensitively. */
export function isCaseInsensitiveField(field: string): boolean {
  let yes = caseInsensitive.get(field);
  if (yes === undefined) {
    yes = /email|^login$|^ad$|userprincipalname|^azureoid$/i.test(field);
    if (caseInsensitive.size >= MEMO_LIMIT) caseInsensitive.clear();
    caseInsensitive.set(field, yes);
  }
  return yes;
}

export function normalise(field: string, v: unknown): string | null {
  return normaliseAs(isCaseInsensitiveField(field), v);
}

/** normalise() for a field known to compare case-insensitively or not. */
export function normaliseAs(caseInsensitive: boolean, v: unknown): string | null {
  if (isEmpty(v)) return null;
  const s = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return caseInsensitive ? s.toLowerCase() : s;
}

export function sameValue(field: string, a: unknown, b: unknown): boolean {
  return normalise(field, a) === normalise(field, b);
}

const nameKeys = new Map<string, string>();

/** Case-insensitive name comparison for Halo names (sites, roles, teams, clients). */
export function nameKey(name: string): string {
  // A few distinct names asked for again and again (every identity's roles and site): memoised.
  let key = nameKeys.get(name);
  if (key === undefined) {
    key = name.trim().toLowerCase();
    if (nameKeys.size >= MEMO_LIMIT) nameKeys.clear();
    nameKeys.set(name, key);
  }
  return key;
}

/** The identity's value for a match key: the mapped field if there is one, else mail/UPN or the display name. */
export function identityMatchValue(spec: FieldSpec | undefined, user: DirectoryUser, key?: string): unknown {
  if (spec !== undefined) return fieldValue(spec, user);
  if (key === 'name') return user.name;
  return user.email ?? user.login;
}
