// Plan changes → Halo POST body elements. Memberships are merged with what Halo holds now (the
// fresh snapshot of the apply): memberships the mapping does not manage are kept, and only what the
// change adds or removes moves (wire.ts MEMBERSHIP_WRITE).
import { cabDeltaChanges, type Change } from '../core/changes';
import type { HaloAgent, HaloSnapshot, HaloUser } from '../core/snapshot';
import { Row, rolesComplete, wireCabs } from './normalise';
import { CAB_MEMBER_TYPE, customFieldsBody, isCustomField, licenceToWire } from './wire';

export type Body = Record<string, unknown>;

/** A change that cannot be turned into a body (unknown role, site not created, memberships not known…). */
export class BodyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BodyError';
  }
}

export interface BodyContext {
  fresh: HaloSnapshot;
  /** Sites created earlier in this apply, by siteKey(clientId, name). */
  createdSites?: ReadonlyMap<string, number>;
}

export function siteKey(clientId: number, name: string): string {
  return `${clientId}/${name.toLowerCase()}`;
}

/** The POST element for a user, agent or site change. Throws BodyError. */
export function changeBody(change: Change, ctx: BodyContext): Body {
  if (change.kind === 'site') return siteBody(change);
  const body: Body = {};
  if (change.action !== 'create') {
    if (change.haloId === null) throw new BodyError(`${change.action} of ${change.kind} "${change.name}" has no Halo id`);
    body.id = change.haloId;
  }
  const flag = change.kind === 'user' ? 'inactive' : 'isdisabled';
  if (change.action === 'deactivate') {
    // Only the flag, and the link when the record was found by a fallback match (DESIGN §2a).
    body[flag] = true;
    if (change.fields.azureoid) body.azureoid = change.fields.azureoid.to ?? null;
    // deprovision.agentLicence: concurrent frees the named licence as the agent goes.
    if (change.fields.licence) Object.assign(body, fieldsBody({ ...change, fields: { licence: change.fields.licence } }));
    return body;
  }
  Object.assign(body, fieldsBody(change));
  if (change.action === 'reactivate') body[flag] = false;
  if (change.action === 'create' && body.name === undefined) body.name = change.name; // Halo requires a name [V]
  if (change.kind === 'user') {
    const siteId = siteIdOf(change, ctx);
    if (siteId !== undefined) body.site_id = siteId;
    else if (change.action === 'create') throw new BodyError(`user "${change.name}" has no site to be created in`);
    userMemberships(change, ctx.fresh, body);
  } else {
    agentMemberships(change, ctx.fresh, body);
  }
  return body;
}

function siteBody(change: Change): Body {
  if (!change.site) throw new BodyError(`site "${change.name}" names no client`);
  const body: Body = { name: change.site.name, client_id: change.site.clientId };
  Object.assign(body, fieldsBody(change));
  return body;
}

/** Halo fields of the change: custom fields as `customfields`, the agent licence as `licence_type`. */
function fieldsBody(change: Change): Body {
  const body: Body = {};
  const custom: Array<[string, unknown]> = [];
  for (const [name, { to }] of Object.entries(change.fields)) {
    const value = to === undefined ? null : to;
    if (name === 'licence' && change.kind === 'agent') {
      const wire = licenceToWire(value);
      if (wire === undefined) throw new BodyError(`agent "${change.name}": licence "${String(value)}" has no Halo value`);
      body.licence_type = wire;
    } else if (isCustomField(name)) {
      custom.push([name, value]);
    } else {
      body[name] = value;
    }
  }
  if (custom.length) body.customfields = customFieldsBody(custom);
  return body;
}

function siteIdOf(change: Change, ctx: BodyContext): number | undefined {
  if (!change.site) return typeof change.fields.site_id?.to === 'number' ? change.fields.site_id.to : undefined;
  if (change.site.id !== null) return change.site.id;
  const created = ctx.createdSites?.get(siteKey(change.site.clientId, change.site.name));
  if (created === undefined) throw new BodyError(`site "${change.site.name}" of ${change.site.clientName} was not created, so user "${change.name}" cannot be placed`);
  return created;
}

function userMemberships(change: Change, fresh: HaloSnapshot, body: Body): void {
  const delta = change.memberships?.roles;
  if (!delta || (!delta.add.length && !delta.remove.length)) return;
  const current = change.action === 'create' ? [] : known(record(fresh.users, change), 'roles', change, fresh);
  const byName = indexByName(fresh.userRoles);
  body.roles = merge(current, delta.add, delta.remove).map((name) => {
    const role = byName.get(name.toLowerCase());
    if (!role) throw new BodyError(`user role "${name}" does not exist in Halo`);
    return { id: Number(role.id) };
  });
}

function agentMemberships(change: Change, fresh: HaloSnapshot, body: Body): void {
  const roles = change.memberships?.roles;
  if (roles && (roles.add.length || roles.remove.length)) {
    const current = change.action === 'create' ? [] : known(record(fresh.agents, change), 'roles', change, fresh);
    const byName = indexByName(fresh.agentRoles);
    body.roles = merge(current, roles.add, roles.remove).map((name) => {
      const role = byName.get(name.toLowerCase());
      if (!role) throw new BodyError(`agent role "${name}" does not exist in Halo`);
      return { id: String(role.id) }; // NHD_Roles ids are GUID strings [V]
    });
  }
  const teams = change.memberships?.teams;
  if (teams && (teams.add.length || teams.remove.length)) {
    const current = change.action === 'create' ? [] : known(record(fresh.agents, change), 'teams', change);
    const byName = indexByName(fresh.teams);
    body.teams = merge(current, teams.add, teams.remove).map((name) => {
      const team = byName.get(name.toLowerCase());
      if (team) return { team_id: Number(team.id), team_name: team.name };
      if (teams.add.some((a) => a.toLowerCase() === name.toLowerCase())) throw new BodyError(`team "${name}" does not exist in Halo`);
      return { team_name: name }; // an unmanaged membership of a team the list did not show: kept by name
    });
  }
}

/** current − remove + add, compared case-insensitively, order kept. */
function merge(current: string[], add: string[], remove: string[]): string[] {
  const gone = new Set(remove.map((r) => r.toLowerCase()));
  const out = current.filter((c) => !gone.has(c.toLowerCase()));
  for (const a of add) if (!out.some((o) => o.toLowerCase() === a.toLowerCase())) out.push(a);
  return out;
}

function known<T extends HaloUser | HaloAgent>(rec: T, key: 'roles' | 'teams', change: Change, fresh?: HaloSnapshot): string[] {
  const value = (rec as unknown as Record<string, string[] | undefined>)[key];
  if (key === 'roles' && fresh && change.kind !== 'site' && !rolesComplete(fresh, change.kind, rec)) {
    throw new BodyError(`the roles of ${change.kind} "${change.name}" (Halo id ${rec.id}) are known only for the roles the mapping manages; the others must be read before a whole set is written`);
  }
  if (value === undefined) {
    throw new BodyError(`the ${key} of ${change.kind} "${change.name}" (Halo id ${rec.id}) are not known, so they cannot be changed without losing others`);
  }
  return value;
}

const indexes = new WeakMap<object, Map<number, HaloUser | HaloAgent>>();

function record<T extends HaloUser | HaloAgent>(list: T[], change: Change): T {
  let index = indexes.get(list) as Map<number, T> | undefined;
  if (!index) {
    index = new Map(list.map((r) => [r.id, r]));
    indexes.set(list, index as Map<number, HaloUser | HaloAgent>);
  }
  const rec = change.haloId === null ? undefined : index.get(change.haloId);
  if (!rec) throw new BodyError(`${change.kind} "${change.name}" (Halo id ${change.haloId}) is not in the fresh read of Halo`);
  return rec;
}

function indexByName<T extends { name: string }>(list: T[]): Map<string, T> {
  return new Map(list.map((x) => [x.name.toLowerCase(), x]));
}

/** The CabMember properties that describe a membership; display fields Halo derives are not sent back. */
const MEMBER_KEYS = ['id', 'cab_id', 'agent_id', 'user_id', 'type', 'role_id', 'role_name', 'is_mandatory'];

function memberToWrite(m: Row): Row {
  const out: Row = {};
  for (const k of MEMBER_KEYS) if (m[k] !== undefined) out[k] = m[k];
  return out;
}

export interface CabBody {
  cab: string;
  /** The changes whose CAB memberships this body carries. */
  changes: Change[];
  body: { id: number; members: Row[] };
}

export interface BodyFailure {
  change: Change;
  message: string;
}

export interface CabBodyOptions {
  /** The CAB role new members get (the mapping's `cab[].role`), by CAB name. */
  roleOf?: (cab: string) => string | undefined;
  /** The Halo id of a change's record, for records created earlier in this apply. */
  idOf?: (change: Change) => number | null;
}

/**
 * One `POST /api/CAB` element per CAB touched: `{id, members}` with the CAB's current members as
 * Halo returned them, minus the removed, plus the added (wire.ts: the full set is posted).
 */
export function cabBodies(changes: Change[], fresh: HaloSnapshot, opts: CabBodyOptions = {}): { bodies: CabBody[]; errors: BodyFailure[] } {
  const errors: BodyFailure[] = [];
  /** Per CAB: members to add (with the CAB's role), to remove, and to keep with another role. */
  const byCab = new Map<string, { name: string; changes: Change[]; add: Row[]; remove: Row[]; retag: Array<{ who: Row; role: string }> }>();
  const entryOf = (name: string, change: Change) => {
    const key = name.toLowerCase();
    const entry = byCab.get(key) ?? { name, changes: [], add: [], remove: [], retag: [] };
    byCab.set(key, entry);
    if (!entry.changes.includes(change)) entry.changes.push(change);
    return entry;
  };
  for (const change of changes) {
    const delta = change.memberships?.cabs;
    if (!delta || !cabDeltaChanges(delta)) continue;
    if (change.kind === 'site') continue;
    const id = opts.idOf?.(change) ?? change.haloId;
    if (id === null) {
      errors.push({ change, message: `${change.kind} "${change.name}" has no Halo id yet, so it cannot join a CAB` });
      continue;
    }
    const who: Row = { ...(change.kind === 'agent' ? { agent_id: id } : { user_id: id }), type: change.kind === 'agent' ? CAB_MEMBER_TYPE.agent : CAB_MEMBER_TYPE.user };
    for (const name of delta.add) entryOf(name, change).add.push({ ...who });
    for (const name of delta.remove) entryOf(name, change).remove.push({ ...who });
    for (const r of delta.role ?? []) entryOf(r.cab, change).retag.push({ who, role: r.to });
  }
  const bodies: CabBody[] = [];
  const cabsByName = new Map(fresh.cabs.map((c) => [c.name.toLowerCase(), c]));
  for (const [key, entry] of byCab) {
    const cab = cabsByName.get(key);
    if (!cab) {
      for (const change of entry.changes) errors.push({ change, message: `CAB "${entry.name}" does not exist in Halo` });
      continue;
    }
    const wire = wireCabs.get(cab);
    const current: Row[] = wire
      ? wire.members.map(memberToWrite)
      : cab.members.map((m) => ({ agent_id: m.agentId, user_id: m.userId, role_name: m.role }));
    const same = (a: Row, b: Row) => (a.agent_id ? a.agent_id === b.agent_id : !!a.user_id && a.user_id === b.user_id);
    const addRole = opts.roleOf?.(cab.name);
    const missing = [addRole, ...entry.retag.map((r) => r.role)].find((r) => r !== undefined && !cab.roles.includes(r));
    if (missing !== undefined) {
      for (const change of entry.changes) errors.push({ change, message: `CAB "${cab.name}" has no role "${missing}"` });
      continue;
    }
    // By id where the read gave role ids; by name otherwise (then no stale role_id is sent back).
    const withRole = (m: Row, role: string | undefined): Row => {
      if (role === undefined) return m;
      const roleId = wire?.roleIds.get(role);
      if (roleId !== undefined) return { ...m, role_id: roleId, ...(m.role_name !== undefined ? { role_name: role } : {}) };
      const { role_id: _dropped, ...rest } = m;
      return { ...rest, role_name: role };
    };
    const members = current
      .filter((m) => !entry.remove.some((r) => same(r, m)))
      .map((m) => withRole(m, entry.retag.find((r) => same(r.who, m))?.role));
    for (const add of entry.add) {
      if (members.some((m) => same(add, m))) continue;
      members.push(withRole(add, addRole));
    }
    bodies.push({ cab: cab.name, changes: entry.changes, body: { id: cab.id, members } });
  }
  return { bodies, errors };
}
