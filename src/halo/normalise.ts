// Halo rows → the planner's snapshot types. What a row lacks stays undefined ("not known"), never
// null or empty: an unknown link is not a missing link.
import type { HaloAgent, HaloCab, HaloCabMember, HaloClient, HaloNamed, HaloSite, HaloSnapshot, HaloUser } from '../core/snapshot';
import { licenceFromWire } from './wire';

export type Row = Record<string, unknown>;

/** id → name lookups for membership items that carry only an id. */
export interface Lookups {
  agentRoles?: Map<string, string>;
  userRoles?: Map<string, string>;
  teams?: Map<number, string>;
}

/** What the wire says about a CAB beyond the snapshot's terms, kept for writing its members back. */
export interface WireCab {
  /** CAB role name → role_id. */
  roleIds: Map<string, number>;
  /** The members exactly as Halo returned them. */
  members: Row[];
}

/** CAB wire details by snapshot object: they stay in src/halo, as the snapshot types promise. */
export const wireCabs = new WeakMap<HaloCab, WireCab>();

/** Records whose whole role set a detail read gave, although their snapshot knows roles only in part. */
export const wholeRoles = new WeakSet<HaloUser | HaloAgent>();

/** Whether every role of `record` is known (a whole-set write needs that). */
export function rolesComplete(snapshot: HaloSnapshot, kind: 'agent' | 'user', record: HaloUser | HaloAgent): boolean {
  const known = snapshot.stats.partialRoles?.[kind];
  if (!known || wholeRoles.has(record)) return true;
  const names = new Set(known.map((n) => n.toLowerCase()));
  return (kind === 'agent' ? snapshot.agentRoles : snapshot.userRoles).every((r) => names.has(r.name.toLowerCase()));
}

/**
 * What a whole list read says about its columns, so that one row's missing key can be read
 * rightly. Halo's newer document leaves null fields out of rows, so a key missing from one row
 * while other rows carry it is empty. A key no row carries is "not provided by this Halo" (an
 * older Halo has no `azureoid` or `role_ids` in its rows), except a column the document lists
 * for that row (documented-columns.json): a documented scalar column is empty for everyone.
 * Links, roles, teams and custom fields are never assumed empty that way: wrongly empty, they
 * would duplicate or mis-deprovision records, so they stay unknown and are read another way.
 */
export interface ListColumns {
  /** Keys some row of the read carries. */
  seen: ReadonlySet<string>;
  /** Scalar columns the document lists for this row. */
  documented: ReadonlySet<string>;
  /** Mapped custom field names. */
  customFields: string[];
}

export function columnsOf(rows: Row[], documented: ReadonlySet<string>, customFields: string[]): ListColumns {
  const seen = new Set<string>();
  for (const r of rows) for (const k in r) seen.add(k);
  return { seen, documented, customFields };
}

/** For single records (detail reads): the record is the whole truth about itself. */
export function detailColumns(row: Row, customFields: string[]): ListColumns {
  return { seen: new Set([...Object.keys(row), 'azureoid', 'customfields']), documented: new Set(), customFields };
}

const NO_COLUMNS: ListColumns = { seen: new Set(), documented: new Set(), customFields: [] };

export function userFromRow(row: Row, lookups: Lookups = {}, cols: ListColumns = NO_COLUMNS): HaloUser {
  return {
    id: Number(row.id),
    name: str(row.name),
    clientId: num(row.client_id),
    siteId: num(row.site_id) ?? num(row.site_id_int),
    inactive: row.inactive === true,
    azureoid: 'azureoid' in row ? str(row.azureoid) : cols.seen.has('azureoid') ? null : undefined,
    roles: Array.isArray(row.roles)
      ? names(row.roles, (r) => lookups.userRoles?.get(String(r.id)))
      : Array.isArray(row.role_ids)
        ? names((row.role_ids as unknown[]).map((id) => ({ id })), (r) => lookups.userRoles?.get(String(r.id)))
        : cols.seen.has('role_ids') || cols.seen.has('roles')
          ? []
          : undefined,
    fields: fieldsOf(row, cols),
  };
}

export function agentFromRow(row: Row, lookups: Lookups = {}, cols: ListColumns = NO_COLUMNS): HaloAgent {
  return {
    id: Number(row.id),
    name: str(row.name),
    disabled: row.isdisabled === true,
    isApiAgent: row.isapiagent === true,
    team: str(row.team),
    teams: Array.isArray(row.teams)
      ? (row.teams as Row[]).map((t) => str(t.team_name) ?? lookups.teams?.get(Number(t.team_id)) ?? String(t.team_id)).filter(unique)
      : cols.seen.has('teams')
        ? []
        : undefined,
    roles: Array.isArray(row.roles) ? names(row.roles, (r) => lookups.agentRoles?.get(String(r.id).toLowerCase())) : cols.seen.has('roles') ? [] : undefined,
    licence: 'licence_type' in row ? licenceFromWire(row.licence_type) : undefined,
    fields: fieldsOf(row, cols),
  };
}

export function siteFromRow(row: Row): HaloSite {
  return { id: Number(row.id), name: String(row.name ?? ''), clientId: Number(row.client_id), inactive: row.inactive === true };
}

export function clientFromRow(row: Row): HaloClient {
  return { id: Number(row.id), name: String(row.name ?? ''), inactive: row.inactive === true };
}

/** Roles, user roles, teams: agent role ids are GUID strings [V], the others integers. */
export function namedFromRow(row: Row): HaloNamed {
  const named: HaloNamed = { id: typeof row.id === 'string' ? row.id : Number(row.id), name: String(row.name ?? '') };
  if (Number.isInteger(row.id_int)) named.idInt = row.id_int as number;
  return named;
}

export function cabFromRow(row: Row): HaloCab {
  const roles = Array.isArray(row.roles) ? (row.roles as Row[]) : [];
  const roleNames = new Map(roles.map((r) => [Number(r.id), String(r.name ?? '')]));
  const members = Array.isArray(row.members) ? (row.members as Row[]) : [];
  const cab: HaloCab = {
    id: Number(row.id),
    name: String(row.name ?? ''),
    members: members.map(
      (m): HaloCabMember => ({
        agentId: num(m.agent_id) || null,
        userId: num(m.user_id) || null,
        role: str(m.role_name) ?? (m.role_id !== undefined && m.role_id !== null ? roleNames.get(Number(m.role_id)) ?? null : null),
      }),
    ),
    roles: roles.map((r) => String(r.name ?? '')).filter(Boolean),
  };
  wireCabs.set(cab, { roleIds: new Map(roles.map((r) => [String(r.name ?? ''), Number(r.id)])), members });
  return cab;
}

/**
 * The row's scalar fields ("" read as null: both are empty), the columns other rows carry or the
 * document lists set to null, and custom fields flattened under their CF name: a mapped one the
 * row's list lacks is empty when the read carried custom fields at all, else unknown.
 */
export function fieldsOf(row: Row, cols: ListColumns = NO_COLUMNS): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of cols.seen) if (!(k in row)) out[k] = null;
  for (const k of cols.documented) if (!(k in row)) out[k] = null;
  for (const [k, v] of Object.entries(row)) {
    if (v === '') out[k] = null;
    else if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  }
  if (Array.isArray(row.customfields) || cols.seen.has('customfields')) {
    for (const name of cols.customFields) out[name] = null;
    for (const cf of Array.isArray(row.customfields) ? (row.customfields as Row[]) : []) {
      if (typeof cf?.name === 'string' && cf.name) out[cf.name] = cf.value === '' || cf.value === undefined ? null : cf.value;
    }
  }
  return out;
}

function names(items: unknown[], byId: (item: Row) => string | undefined): string[] {
  return (items as Row[]).map((r) => str(r.name) ?? byId(r) ?? String(r.id)).filter(unique);
}

function unique<T>(v: T, i: number, all: T[]): boolean {
  return all.indexOf(v) === i;
}

function str(v: unknown): string | null {
  return v === undefined || v === null ? null : String(v);
}

function num(v: unknown): number | null {
  if (v === undefined || v === null || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}
