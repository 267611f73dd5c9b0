// Reading Entra attributes and comparing Halo values: one place for "empty", indexing and case rules.
import type { FieldSpec } from './mapping';
import { fieldSources } from './needs';
import type { EntraUser } from './snapshot';

/** Null, undefined, "" and [] are all empty (DESIGN §2a). */
export function isEmpty(v: unknown): boolean {
  return v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
}

/** `attr` or `attr[n]` of an Entra user; id, accountEnabled and userType included. */
export function readAttribute(user: EntraUser, source: string): unknown {
  const m = /^([A-Za-z0-9_@.]+)(?:\[(\d+)\])?$/.exec(source);
  const name = m ? m[1] : source;
  let v: unknown = name === 'id' ? user.id : name === 'accountEnabled' ? user.accountEnabled : name === 'userType' ? user.userType : user.attrs[name];
  if (m?.[2] !== undefined) v = Array.isArray(v) ? v[Number(m[2])] : undefined;
  else if (Array.isArray(v)) v = v.length ? v.join(', ') : null;
  return isEmpty(v) ? null : v;
}

export interface FieldValue {
  value: unknown;
  createOnly: boolean;
}

/** The value a Halo field should have for this identity: first non-empty source, else the default. */
export function evaluateField(spec: FieldSpec, user: EntraUser): FieldValue {
  let value: unknown = null;
  for (const source of fieldSources(spec)) {
    value = readAttribute(user, source);
    if (!isEmpty(value)) break;
  }
  const long = typeof spec === 'object' && !Array.isArray(spec) ? spec : undefined;
  if (isEmpty(value) && long && long.default !== undefined) value = long.default;
  return { value: isEmpty(value) ? null : value, createOnly: long?.when === 'create' };
}

/** Fields holding email addresses or sign-in names compare case-insensitively. */
export function isCaseInsensitiveField(field: string): boolean {
  return /email|^login$|^ad$|userprincipalname|^azureoid$/i.test(field);
}

export function normalise(field: string, v: unknown): string | null {
  if (isEmpty(v)) return null;
  const s = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return isCaseInsensitiveField(field) ? s.toLowerCase() : s;
}

export function sameValue(field: string, a: unknown, b: unknown): boolean {
  return normalise(field, a) === normalise(field, b);
}

/** Case-insensitive name comparison for Halo names (sites, roles, teams, clients). */
export function nameKey(name: string): string {
  return name.trim().toLowerCase();
}

/** The identity's value for a match key: the mapped field if there is one, else mail/UPN or the display name. */
export function identityMatchValue(spec: FieldSpec | undefined, user: EntraUser, key?: string): unknown {
  if (spec !== undefined) return evaluateField(spec, user).value;
  if (key === 'name') return user.attrs.displayName;
  return user.attrs.mail ?? user.attrs.userPrincipalName;
}
