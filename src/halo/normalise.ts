// Halo rows → the planner's snapshot types. What a row lacks stays undefined ("not known"), never
// null or empty: an unknown link is not a missing link.
import type { HaloAgent, HaloCab, HaloCabMember, HaloClient, HaloNamed, HaloSite, HaloUser } from '../core/snapshot';
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

/**
 * `customFields`: the mapped CF names. When the row carries a `customfields` list, a mapped field
 * missing from it is known to be empty; without the list it stays unknown.
 */
export function userFromRow(row: Row, lookups: Lookups = {}, customFields: string[] = []): HaloUser {
  return {
    id: Number(row.id),
    name: str(row.name),
    clientId: num(row.client_id),
    siteId: num(row.site_id) ?? num(row.site_id_int),
    inactive: row.inactive === true,
    azureoid: 'azureoid' in row ? str(row.azureoid) : undefined,
    roles: Array.isArray(row.roles) ? names(row.roles, (r) => lookups.userRoles?.get(String(r.id))) : undefined,
    fields: fieldsOf(row, customFields),
  };
}

export function agentFromRow(row: Row, lookups: Lookups = {}, customFields: string[] = []): HaloAgent {
  return {
    id: Number(row.id),
    name: str(row.name),
    disabled: row.isdisabled === true,
    isApiAgent: row.isapiagent === true,
    team: str(row.team),
    teams: Array.isArray(row.teams)
      ? (row.teams as Row[]).map((t) => str(t.team_name) ?? lookups.teams?.get(Number(t.team_id)) ?? String(t.team_id)).filter(unique)
      : undefined,
    roles: Array.isArray(row.roles) ? names(row.roles, (r) => lookups.agentRoles?.get(String(r.id).toLowerCase())) : undefined,
    licence: 'licence_type' in row ? licenceFromWire(row.licence_type) : undefined,
    fields: fieldsOf(row, customFields),
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
  return { id: typeof row.id === 'string' ? row.id : Number(row.id), name: String(row.name ?? '') };
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

/** The row's scalar fields, plus custom fields flattened under their CF name. */
export function fieldsOf(row: Row, customFields: string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  }
  if (Array.isArray(row.customfields)) {
    for (const name of customFields) out[name] = null;
    for (const cf of row.customfields as Row[]) if (typeof cf?.name === 'string' && cf.name) out[cf.name] = cf.value ?? null;
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
