// What each reader must fetch for a mapping: exactly the attributes, groups and Halo lists it uses.
import { attributeProblem, MANAGER_AGENT, managerAttribute } from './attributes';
import { connectionsOf, Directory, tenantOf } from './directories';
import type { FieldSpec, Mapping } from './mapping';

export interface DirectoryNeeds {
  tenant: string;
  /** The attributes the mapping reads from this connection (each reader adds the ones it always reads). */
  attributes: string[];
  /** Group references (name or id) whose user members (transitive where groups nest) are needed. */
  groups: string[];
  /** Whether each user's manager id is needed (a `noManager` grant, a `manager.…` field). */
  manager: boolean;
  /** The manager's own attributes fields use (`manager.mail` → `mail`); each user carries them as `manager.mail`. */
  managerAttributes: string[];
}

export interface HaloNeeds {
  /** Halo user fields the mapping reads or writes (custom fields by CF name). */
  userFields: string[];
  agentFields: string[];
  userRoles: boolean;
  agentRoles: boolean;
  /** The roles the mapping manages (granted or removed), by name. */
  userRoleNames: string[];
  agentRoleNames: string[];
  teams: boolean;
  cabs: boolean;
}

/** `businessPhones[0]` → `businessPhones`. */
export function attributeName(source: string): string {
  const i = source.indexOf('[');
  return i < 0 ? source : source.slice(0, i);
}

export function fieldSources(spec: FieldSpec): string[] {
  if (typeof spec === 'string') return [spec];
  if (Array.isArray(spec)) return spec;
  const from = spec.from;
  return from === undefined ? [] : typeof from === 'string' ? [from] : from;
}

/**
 * Per connection, what its reader must fetch. Fields apply to every directory, so a field source
 * this directory does not have (`email` of another directory, in `[mail, email]`) is not asked of it.
 */
export function directoryNeeds(mapping: Mapping): DirectoryNeeds[] {
  return connectionsOf(mapping).map(({ name, directory }) => {
    const attributes = new Set<string>();
    const groups = new Set<string>();
    let manager = false;
    const managerAttributes = new Set<string>();
    const read = (source: string, anyDirectory = false) => {
      if (anyDirectory && !has(directory, source)) return;
      const of = managerAttribute(source);
      if (of === undefined) return void attributes.add(attributeName(source));
      manager = true;
      // The manager is a user of the same tenant: their attribute comes with everyone's.
      if (of !== MANAGER_AGENT) {
        attributes.add(of);
        managerAttributes.add(of);
      }
    };
    const mine = (item: { tenant?: string; source?: string }) => tenantOf(mapping, item) === name;
    for (const rule of [...(mapping.agents ?? []), ...(mapping.users ?? [])]) {
      if (!mine(rule)) continue;
      if (rule.from.group) groups.add(rule.from.group);
      for (const g of rule.from.groups ?? []) groups.add(g);
      for (const key of Object.keys(rule.from.where ?? {})) read(key);
      if ('siteFrom' in rule && rule.siteFrom) read(rule.siteFrom);
      if ('clientFrom' in rule && rule.clientFrom) read(rule.clientFrom);
    }
    for (const grant of mapping.roles ?? []) {
      if (!mine(grant)) continue;
      if (grant.group) groups.add(grant.group);
      if (grant.noManager) manager = true;
    }
    for (const cab of mapping.cab ?? []) if (mine(cab)) groups.add(cab.group);
    for (const specs of [mapping.fields?.users, mapping.fields?.agents]) {
      for (const spec of Object.values(specs ?? {})) for (const s of fieldSources(spec)) read(s, true);
    }
    return { tenant: name, attributes: [...attributes].sort(), groups: [...groups].sort(), manager, managerAttributes: [...managerAttributes].sort() };
  });
}

/** Whether the directory has the attribute (a field's source may be another directory's). */
function has(directory: Directory, source: string): boolean {
  return attributeProblem(directory, source) === undefined;
}

export function haloNeeds(mapping: Mapping): HaloNeeds {
  const grants = mapping.roles ?? [];
  const names = (lists: Array<string[] | undefined>) => [...new Set(lists.flatMap((l) => l ?? []))].sort();
  return {
    userFields: Object.keys(mapping.fields?.users ?? {}).sort(),
    agentFields: Object.keys(mapping.fields?.agents ?? {}).sort(),
    userRoles: (mapping.users ?? []).some((r) => r.roles?.length) || grants.some((g) => g.userRoles?.length),
    agentRoles: (mapping.agents ?? []).some((r) => r.roles?.length) || grants.some((g) => g.agentRoles?.length),
    userRoleNames: names([...(mapping.users ?? []).map((r) => r.roles), ...grants.map((g) => g.userRoles)]),
    agentRoleNames: names([...(mapping.agents ?? []).map((r) => r.roles), ...grants.map((g) => g.agentRoles)]),
    teams: (mapping.agents ?? []).some((r) => r.team),
    cabs: (mapping.cab ?? []).length > 0,
  };
}
